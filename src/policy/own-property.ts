/**
 * Sets `key` as an own, enumerable data property whatever the key — `__proto__` included, as
 * JSON.parse makes it. Plain assignment of `__proto__` would instead replace the object's
 * prototype, and a statement's keys would then be read through it.
 */
export function setOwn(target: Record<string, unknown>, key: string, value: unknown): void {
  Object.defineProperty(target, key, { value, enumerable: true, writable: true, configurable: true });
}
