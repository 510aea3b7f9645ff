using BenchmarkDotNet.Running;
using Fumidai.Bench;

// `storage [MiB]` measures chunked recordings (StorageRatio); anything else runs the micro-benchmarks with
// BenchmarkDotNet filters, e.g. `--filter *Cipher*`.
if (args.Length > 0 && args[0] == "storage")
{
    await StorageRatio.RunAsync(args.Length > 1 ? int.Parse(args[1], System.Globalization.CultureInfo.InvariantCulture) : 512);
    return;
}
BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args);
