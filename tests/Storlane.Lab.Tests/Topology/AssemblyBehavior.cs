// Lab tests measure link rates and run benches: run them one at a time, so one test's traffic
// and CPU use does not distort another's measurement on a 2-core machine.
[assembly: CollectionBehavior(DisableTestParallelization = true)]
