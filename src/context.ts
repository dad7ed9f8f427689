import type { YogaInitialContext } from 'graphql-yoga';
import type { Config } from './config.ts';
import type { PrismaClient } from './generated/prisma/client.ts';

/** What every resolver gets. Built once per request (or per subscription event source). */
export interface Context {
  prisma: PrismaClient;
  config: Config;
  /** The request's clock: visibility ("published in the past") is judged against it. */
  now: Date;
}

export interface AppServices {
  prisma: PrismaClient;
  config: Config;
  clock: () => Date;
}

export function createContext(services: AppServices, _initial?: Partial<YogaInitialContext>): Context {
  return { prisma: services.prisma, config: services.config, now: services.clock() };
}
