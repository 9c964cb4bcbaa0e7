/** Calls `stop` once the process that started this one is gone. */
export function stopWithParent(stop: () => void): void;
