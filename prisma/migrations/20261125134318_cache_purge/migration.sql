-- CreateTable
CREATE TABLE "CachePurge" (
    "id" BIGSERIAL NOT NULL,
    "keys" TEXT[],
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "attempts" INTEGER NOT NULL DEFAULT 0,
    "nextAttemptAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "claim" TEXT,
    "lastError" TEXT,

    CONSTRAINT "CachePurge_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "CachePurge_nextAttemptAt_id_idx" ON "CachePurge"("nextAttemptAt", "id");

