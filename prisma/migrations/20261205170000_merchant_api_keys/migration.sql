-- Merchant API keys in a table of their own, so that a merchant can hold a second key while it
-- rotates the first (at most 2 active: the API checks it under a lock of the merchant's row).
-- Only each key's SHA-256 is stored, as before.

-- CreateTable
CREATE TABLE "merchant_api_keys" (
    "id" TEXT NOT NULL,
    "merchant_id" TEXT NOT NULL,
    "key_hash" TEXT NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    -- When a request last used the key, to within a minute (the API writes it at most once a minute).
    "last_used_at" TIMESTAMPTZ(3),
    -- NULL while the key is active.
    "revoked_at" TIMESTAMPTZ(3),
    -- The operators who issued and revoked it (NULL for keys made with their merchant, or before operators).
    "created_by" TEXT,
    "revoked_by" TEXT,

    CONSTRAINT "merchant_api_keys_pkey" PRIMARY KEY ("id")
);

-- CreateIndex: a request's key is found by its hash (the authentication lookup)
CREATE UNIQUE INDEX "merchant_api_keys_key_hash_key" ON "merchant_api_keys"("key_hash");

-- CreateIndex: a merchant's keys (listing, counting the active ones)
CREATE INDEX "merchant_api_keys_merchant_id_idx" ON "merchant_api_keys"("merchant_id");

-- AddForeignKey
ALTER TABLE "merchant_api_keys" ADD CONSTRAINT "merchant_api_keys_merchant_id_fkey" FOREIGN KEY ("merchant_id") REFERENCES "merchants"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- Every merchant's key moves over, created when the merchant was. The placeholder of the merchant
-- that holds orders from before merchant accounts ('legacy') is no key's hash and does not move.
INSERT INTO "merchant_api_keys" ("id", "merchant_id", "key_hash", "created_at")
SELECT gen_random_uuid()::text, "id", "api_key_hash", "created_at"
FROM "merchants"
WHERE "api_key_hash" ~ '^[0-9a-f]{64}$';

-- The old column stays for a rolling upgrade: API processes of the previous build still look keys
-- up there until they stop. It becomes nullable; this build keeps in it the hash of the merchant's
-- first key while that key is active (a revocation clears it). A merchant that a process of the
-- previous build creates meanwhile gets its key here too, by the trigger below. A later migration
-- drops the column and the trigger.
ALTER TABLE "merchants" ALTER COLUMN "api_key_hash" DROP NOT NULL;

CREATE FUNCTION "merchants_key_to_merchant_api_keys"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO "merchant_api_keys" ("id", "merchant_id", "key_hash", "created_at")
  VALUES (gen_random_uuid()::text, NEW."id", NEW."api_key_hash", NEW."created_at")
  ON CONFLICT ("key_hash") DO NOTHING;
  RETURN NULL;
END;
$$;
CREATE TRIGGER "merchants_key_to_merchant_api_keys" AFTER INSERT ON "merchants"
  FOR EACH ROW WHEN (NEW."api_key_hash" ~ '^[0-9a-f]{64}$')
  EXECUTE FUNCTION "merchants_key_to_merchant_api_keys"();
