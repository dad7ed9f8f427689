-- CreateTable
CREATE TABLE "ViewOutage" (
    "id" BIGSERIAL NOT NULL,
    "articleId" INTEGER NOT NULL,
    "sectionId" INTEGER NOT NULL,
    "visitor" TEXT NOT NULL,
    "at" BIGINT NOT NULL,
    "dedupMs" INTEGER NOT NULL,

    CONSTRAINT "ViewOutage_pkey" PRIMARY KEY ("id")
);

