import { useEffect, useState } from 'preact/hooks';

/** The current time, updated every second, for running timers (client-side only). */
export function useNow(): number {
  const [now, setNow] = useState(Date.now());
  useEffect(() => {
    const t = setInterval(() => setNow(Date.now()), 1000);
    return () => clearInterval(t);
  }, []);
  return now;
}
