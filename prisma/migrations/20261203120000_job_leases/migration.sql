-- Periodic jobs that must run once per deployment, not once per replica:
-- a replica runs a job only after claiming its next run in one statement.

-- CreateTable
CREATE TABLE "job_leases" (
    "name" TEXT NOT NULL,
    "next_run_at" TIMESTAMPTZ(3) NOT NULL,
    "claimed_by" TEXT,

    CONSTRAINT "job_leases_pkey" PRIMARY KEY ("name")
);
