import { randomBytes } from 'node:crypto';
import { Redis } from 'ioredis';

/**
 * Redis for the suites that test a Redis-backed store: a connection and a key prefix of their own,
 * or nothing (and a plain warning) when WARDEN_TEST_REDIS_URL is not set. `cleanup` deletes the keys.
 */
export function testRedis(suite: string): { redis: Redis | undefined; prefix: string; cleanup(): Promise<void> } {
  const url = process.env.WARDEN_TEST_REDIS_URL;
  if (!url) console.warn(`WARDEN_TEST_REDIS_URL is not set: the Redis ${suite} suite is skipped (memory runs)`);
  const redis = url ? new Redis(url) : undefined;
  const prefix = `warden-test-${randomBytes(4).toString('hex')}`;
  return {
    redis,
    prefix,
    async cleanup() {
      if (!redis) return;
      const keys = await redis.keys(`${prefix}:*`);
      if (keys.length) await redis.del(...keys);
      redis.disconnect();
    },
  };
}
