import type { Live } from '../../src/live/live.js';
import { openRedisLive } from '../../src/live/redis.js';
import { clusterSkipReason, freshPrefix, REDIS_URL } from '../support/services.js';
import { liveContract } from './contract.js';

const skip = await clusterSkipReason();

liveContract(
  'redis',
  {
    async open() {
      const { prefix, clean } = freshPrefix(null);
      const opts = { url: REDIS_URL, prefix, rateMax: 3, rateWindowSeconds: 60, authFailuresPerMinute: 3 };
      const handles: Live[] = [await openRedisLive(opts)];
      return {
        live: handles[0],
        second: async () => {
          const l = await openRedisLive(opts);
          handles.push(l);
          return l;
        },
        cleanup: async () => {
          for (const h of handles) await h.close();
          await clean();
        },
      };
    },
  },
  { skip },
);
