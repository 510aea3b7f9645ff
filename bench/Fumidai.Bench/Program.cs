using BenchmarkDotNet.Running;

// Runs the micro-benchmarks; pass BenchmarkDotNet filters, e.g. `--filter *Cipher*`.
BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args);
