/** What the dashboard remembers in this browser (never in a URL). */
const KEY = 'argybargy.';

export function load<T>(name: string, fallback: T): T {
  try {
    const v = localStorage.getItem(KEY + name);
    return v === null ? fallback : (JSON.parse(v) as T);
  } catch {
    return fallback;
  }
}

export function save(name: string, value: unknown): void {
  try {
    if (value === null || value === undefined) localStorage.removeItem(KEY + name);
    else localStorage.setItem(KEY + name, JSON.stringify(value));
  } catch {
    // storage full or disabled: the dashboard still works, it just forgets
  }
}
