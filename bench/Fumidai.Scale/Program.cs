using System.CommandLine;
using Fumidai.Scale;
using Fumidai.Ssh.Client;
using Fumidai.Ssh.Keys;

// fumidai-scale: `setup` adds the load's users to a data directory; `run` drives sessions through a running `fumidai serve`.
// Driven by bench/scale/run.sh, which starts the bastion and the target and checks the recordings afterwards.
var root = new RootCommand("Load generator for a Fumidai bastion");

var data = new Option<string>("--data") { Required = true, Description = "The bastion's data directory" };
var users = new Option<int>("--users") { DefaultValueFactory = _ => 100, Description = "How many users to add" };
var role = new Option<string>("--role") { DefaultValueFactory = _ => "load", Description = "Role the users get" };
var publicKey = new Option<string>("--public-key") { Required = true, Description = "Public key file every user gets" };
var usersFile = new Option<string>("--users-file") { Required = true, Description = "users.tsv: NAME<TAB>BASE32 SECRET per line" };
var setup = new Command("setup", "Add load users straight into the store (run before serve)") { data, users, role, publicKey, usersFile };
setup.SetAction((r, ct) => Setup.RunAsync(r.GetValue(data)!, r.GetValue(users), r.GetValue(role)!, r.GetValue(publicKey)!, r.GetValue(usersFile)!, ct));
root.Subcommands.Add(setup);

var port = new Option<int>("--port") { Required = true, Description = "The bastion's SSH port on 127.0.0.1" };
var knownHosts = new Option<string>("--known-hosts") { Required = true, Description = "known_hosts file pinning the bastion" };
var key = new Option<string>("--key") { Required = true, Description = "The users' private key" };
var target = new Option<string>("--target") { DefaultValueFactory = _ => "load01", Description = "Target name" };
var mode = new Option<string>("--mode") { Required = true, Description = "idle | interactive | bulk | storm | burst" };
mode.AcceptOnlyFromAmong("idle", "interactive", "bulk", "storm", "burst");
var sessions = new Option<int>("--sessions") { DefaultValueFactory = _ => 100, Description = "Sessions (idle, interactive, bulk) or logins (burst)" };
var seconds = new Option<int>("--seconds") { DefaultValueFactory = _ => 30, Description = "Hold (idle), typing (interactive) or storm duration" };
var rate = new Option<double>("--rate") { DefaultValueFactory = _ => 50, Description = "Logins per second (storm)" };
var bytes = new Option<long>("--bytes") { DefaultValueFactory = _ => 10_000_000, Description = "Output per session (bulk)" };
var concurrency = new Option<int>("--concurrency") { DefaultValueFactory = _ => 32, Description = "Logins in flight while opening sessions" };
var pid = new Option<int?>("--pid") { Description = "The bastion's PID, for RSS and CPU" };
var hostPid = new Option<int?>("--host-pid") { Description = "The target's PID, for its CPU per unit of work" };
var run = new Command("run", "Drive sessions through the bastion") { port, knownHosts, usersFile, key, target, mode, sessions, seconds, rate, bytes, concurrency, pid, hostPid };
run.SetAction(async (r, ct) =>
{
    var loadUsers = File.ReadAllLines(r.GetValue(usersFile)!).Where(l => l.Contains('\t'))
        .Select(l => l.Split('\t')).Select(p => new LoadUser(p[0], p[1])).ToList();
    var privateKey = SshPrivateKey.Parse(File.ReadAllText(r.GetValue(key)!), null, out _);
    var loadTarget = new LoadTarget("127.0.0.1", r.GetValue(port), KnownHosts.Parse(File.ReadAllText(r.GetValue(knownHosts)!)), r.GetValue(target)!,
        privateKey, loadUsers, new CodeSource(loadUsers));
    var sampler = r.GetValue(pid) is { } p ? new ProcessSampler(p) : null;
    var load = new LoadRun(loadTarget, sampler, r.GetValue(concurrency), r.GetValue(hostPid) is { } h ? new ProcessSampler(h) : null);
    var duration = TimeSpan.FromSeconds(r.GetValue(seconds));
    Console.WriteLine($"mode {r.GetValue(mode)}, {loadUsers.Count} users, target {r.GetValue(target)}");
    switch (r.GetValue(mode))
    {
        case "idle": await load.IdleAsync(r.GetValue(sessions), duration, ct); break;
        case "interactive": await load.InteractiveAsync(r.GetValue(sessions), duration, ct); break;
        case "bulk": await load.BulkAsync(r.GetValue(sessions), r.GetValue(bytes), ct); break;
        case "storm": await load.StormAsync(r.GetValue(rate), duration, ct); break;
        case "burst": await load.BurstAsync(r.GetValue(sessions), ct); break;
    }
    return load.Errors == 0 ? 0 : 1;
});
root.Subcommands.Add(run);
return await root.Parse(args).InvokeAsync();
