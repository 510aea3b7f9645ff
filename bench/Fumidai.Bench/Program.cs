using BenchmarkDotNet.Running;
using Fumidai.Bench;

// `storage [MiB]` measures chunked recordings (StorageRatio); `fastopen [MiB] [runs]` opening and seeking one (FastOpen); `receive [packets] [runs]`
// allocations per received keystroke packet (ReceiveAllocations); anything else runs the micro-benchmarks with
// BenchmarkDotNet filters, e.g. `--filter *Cipher*`.
if (args.Length > 0 && args[0] == "storage")
{
    await StorageRatio.RunAsync(args.Length > 1 ? int.Parse(args[1], System.Globalization.CultureInfo.InvariantCulture) : 512);
    return;
}
if (args.Length > 0 && args[0] == "fastopen")
{
    await FastOpen.RunAsync(args.Length > 1 ? int.Parse(args[1], System.Globalization.CultureInfo.InvariantCulture) : 1024,
        args.Length > 2 ? int.Parse(args[2], System.Globalization.CultureInfo.InvariantCulture) : 3);
    return;
}
if (args.Length > 0 && args[0] == "receive")
{
    await ReceiveAllocations.RunAsync(args.Length > 1 ? int.Parse(args[1], System.Globalization.CultureInfo.InvariantCulture) : 100_000,
        args.Length > 2 ? int.Parse(args[2], System.Globalization.CultureInfo.InvariantCulture) : 3);
    return;
}
BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args);
