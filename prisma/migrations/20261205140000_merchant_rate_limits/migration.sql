-- A merchant's own request limits; NULL: the deployment's default (MERCHANT_RATE_LIMIT_PER_SECOND, MERCHANT_READ_RATE_LIMIT_PER_SECOND).
ALTER TABLE "merchants" ADD COLUMN "submit_rate_limit_per_second" INTEGER;
ALTER TABLE "merchants" ADD COLUMN "read_rate_limit_per_second" INTEGER;
