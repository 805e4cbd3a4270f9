-- CreateEnum
CREATE TYPE "SupergraphAction" AS ENUM ('PUBLISH', 'ROLLBACK');

-- CreateEnum
CREATE TYPE "TokenRole" AS ENUM ('ADMIN', 'PUBLISHER', 'GATEWAY');

-- CreateTable
CREATE TABLE "subgraph_versions" (
    "id" SERIAL NOT NULL,
    "subgraph" TEXT NOT NULL,
    "version" INTEGER NOT NULL,
    "sdl" TEXT NOT NULL,
    "sdl_hash" TEXT NOT NULL,
    "routing_url" TEXT NOT NULL,
    "author" TEXT NOT NULL,
    "created_at" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "subgraph_versions_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "supergraph_versions" (
    "version" SERIAL NOT NULL,
    "sdl" TEXT NOT NULL,
    "sdl_hash" TEXT NOT NULL,
    "api_sdl" TEXT NOT NULL,
    "action" "SupergraphAction" NOT NULL,
    "subgraph" TEXT NOT NULL,
    "author" TEXT NOT NULL,
    "created_at" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "supergraph_versions_pkey" PRIMARY KEY ("version")
);

-- CreateTable
CREATE TABLE "supergraph_members" (
    "supergraph_version" INTEGER NOT NULL,
    "subgraph_version_id" INTEGER NOT NULL,

    CONSTRAINT "supergraph_members_pkey" PRIMARY KEY ("supergraph_version","subgraph_version_id")
);

-- CreateTable
CREATE TABLE "operation_list_versions" (
    "id" SERIAL NOT NULL,
    "client" TEXT NOT NULL,
    "version" INTEGER NOT NULL,
    "operations" JSONB NOT NULL,
    "author" TEXT NOT NULL,
    "created_at" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "operation_list_versions_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "access_tokens" (
    "id" SERIAL NOT NULL,
    "name" TEXT NOT NULL,
    "role" "TokenRole" NOT NULL,
    "token_hash" TEXT NOT NULL,
    "created_at" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "revoked_at" TIMESTAMP(3),

    CONSTRAINT "access_tokens_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE UNIQUE INDEX "subgraph_versions_subgraph_version_key" ON "subgraph_versions"("subgraph", "version");

-- CreateIndex
CREATE INDEX "supergraph_members_subgraph_version_id_idx" ON "supergraph_members"("subgraph_version_id");

-- CreateIndex
CREATE UNIQUE INDEX "operation_list_versions_client_version_key" ON "operation_list_versions"("client", "version");

-- CreateIndex
CREATE UNIQUE INDEX "access_tokens_name_key" ON "access_tokens"("name");

-- CreateIndex
CREATE UNIQUE INDEX "access_tokens_token_hash_key" ON "access_tokens"("token_hash");

-- AddForeignKey
ALTER TABLE "supergraph_members" ADD CONSTRAINT "supergraph_members_supergraph_version_fkey" FOREIGN KEY ("supergraph_version") REFERENCES "supergraph_versions"("version") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "supergraph_members" ADD CONSTRAINT "supergraph_members_subgraph_version_id_fkey" FOREIGN KEY ("subgraph_version_id") REFERENCES "subgraph_versions"("id") ON DELETE RESTRICT ON UPDATE CASCADE;
