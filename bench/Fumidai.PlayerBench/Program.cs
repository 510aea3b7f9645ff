using System.Globalization;
using Fumidai.PlayerBench;

// `player [MiB] [runs] [viewers]`: a recording of MiB of output made through OpenSSH, then first frame, seek to 90 % and
// server memory per viewer in chromium. `live [samples]`: text printed on the target to the browser's live view.
string mode = args.Length > 0 ? args[0] : "player";
int Arg(int i, int fallback) => args.Length > i ? int.Parse(args[i], CultureInfo.InvariantCulture) : fallback;
await using var bench = await BenchBastion.StartAsync();
switch (mode)
{
    case "player":
        await PlayerRun.RunAsync(bench, Arg(1, 1024), Arg(2, 3), Arg(3, 8));
        break;
    case "live":
        await LiveRun.RunAsync(bench, Arg(1, 20));
        break;
    default:
        Console.Error.WriteLine("usage: player [MiB] [runs] [viewers] | live [samples]");
        return 2;
}
return 0;
