// Preloaded into the server the hostile bench starts (`node --expose-gc --import …`): SIGUSR2 runs a
// full garbage collection, so the bench can read the server's RSS "after a GC settle" from outside.
process.on('SIGUSR2', () => globalThis.gc?.());
