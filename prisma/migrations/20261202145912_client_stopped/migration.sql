-- AlterEnum
ALTER TYPE "ClientStatus" ADD VALUE 'STOPPED';
