using System.CommandLine;
using Fumidai.Cli.Infrastructure;
using Fumidai.Cli.Output;
using Fumidai.Gateway.Audit;
using Fumidai.Gateway.Sessions;
using Fumidai.Recording.Chunks;
using Fumidai.Recording.Storage;

namespace Fumidai.Cli.Commands;

/// <summary><c>fumidai verify [ID | --all] [--json]</c>: checks chunk hashes, chains and manifest signatures against the audit public key.</summary>
public static class VerifyCommand
{
    public static Command Create(CliRuntime runtime)
    {
        var id = new Argument<string?>("ID") { Description = "The session to verify", Arity = ArgumentArity.ZeroOrOne };
        var all = new Option<bool>("--all") { Description = "Verify every recording in the store (progress on stderr)" };
        var key = new Option<string?>("--key")
        {
            Description = "The audit public key (ssh-ed25519 line); default: audit_signing_key.pub in the data directory",
            HelpName = "FILE",
        };
        var json = CliRuntime.JsonOption();
        var command = new Command("verify", "Check that recordings are complete and unchanged: hashes, chain, signed manifest. Exit 1 on any problem")
        {
            id, all, key, json,
        };
        command.SetAction((result, ct) => runtime.RunAsync(result, async context =>
        {
            string? one = result.GetValue(id);
            bool every = result.GetValue(all);
            if (every == (one is not null)) throw CliException.Usage("give a session ID or --all");
            var sessions = await context.OpenStoreAsync().ConfigureAwait(false);
            var verifier = new RecordingVerifier(context.RecordingStore(), LoadKey(context, result.GetValue(key)));
            IReadOnlyList<VerificationResult> results;
            HashSet<string> running = [];
            int auditPeriods = 0;
            if (every)
            {
                // A stream without a manifest is still being written only while a serve holds this data directory.
                bool serving = context.Data.IsServeRunning();
                if (serving)
                    running = (await sessions.ListRunningSessionsAsync(context.CancellationToken).ConfigureAwait(false)).Select(s => s.Id).ToHashSet();
                var progress = new VerifyProgress(context, running);
                var recordings = await verifier.VerifyAllAsync(ObjectLayout.RecordingsRoot, progress, context.CancellationToken).ConfigureAwait(false);
                progress.Total += recordings.Count;
                var auditLog = await verifier.VerifyAllAsync(ObjectLayout.AuditRoot, progress, context.CancellationToken).ConfigureAwait(false);
                progress.Finish();
                // Each node's newest audit period is still being written by a running serve: no manifest yet is expected.
                if (serving)
                    foreach (var open in auditLog.Where(r => !r.Ok && r.Manifest is null)
                                 .GroupBy(r => NodeOf(r.Id)).Select(g => g.MaxBy(r => r.Id, StringComparer.Ordinal)!))
                        running.Add(open.Id);
                results = [.. recordings, .. auditLog];
                auditPeriods = auditLog.Count;
            }
            else
            {
                (one, string prefix) = await LocateAsync(context, one!).ConfigureAwait(false);
                results = [await verifier.VerifyAsync(prefix, context.CancellationToken).ConfigureAwait(false)];
            }
            await context.RecordAsync(AuditTypes.RecordingAccess, "verify", null, null, new Dictionary<string, string>
            {
                ["session"] = one ?? "all",
                ["recordings"] = results.Count.ToString(System.Globalization.CultureInfo.InvariantCulture),
                ["failed"] = results.Count(r => !IsRunning(r, running) && !r.Ok).ToString(System.Globalization.CultureInfo.InvariantCulture),
            }).ConfigureAwait(false);
            Report(context, results, running, result.GetValue(json), every ? auditPeriods : null);
        }, ct));
        return command;
    }

    /// <summary>The node part of an audit period id (NODE-yyyyMMddTHHmmssZ-ticks).</summary>
    private static string NodeOf(string periodId)
    {
        var parts = periodId.Split('-');
        return parts.Length >= 3 ? string.Join('-', parts[..^2]) : periodId;
    }

    internal static IManifestVerifier LoadKey(CliContext context, string? file)
    {
        string path = file ?? context.Data.AuditPublicKeyPath;
        if (!File.Exists(path)) throw CliException.NotFound($"audit public key {path} not found (give one with --key)");
        try
        {
            return Ed25519ManifestVerifier.FromOpenSshLine(File.ReadAllText(path).Trim());
        }
        catch (FormatException ex)
        {
            throw CliException.Usage($"{path}: {ex.Message}");
        }
    }

    /// <summary>The recording folder of a session: from the database when it knows it, else by looking in the store.</summary>
    private static async Task<(string Id, string Prefix)> LocateAsync(CliContext context, string id)
    {
        if (string.IsNullOrWhiteSpace(id) || id.Length > 128 || id.Contains('/')) throw CliException.Usage($"invalid session id '{id}'");
        // A session the database has forgotten may still be in the store: then only its whole id finds it.
        var session = await SessionIds.FindAsync(await context.OpenStoreAsync().ConfigureAwait(false), id, context.CancellationToken).ConfigureAwait(false);
        if (session is not null) id = session.Id;
        if (session is not null && SessionRecordings.IsLegacy(session))
            throw CliException.Failure($"session {id}: single-file recording {session.Recording} from before signed recordings; it cannot be verified");
        if (session?.Recording is { Length: > 0 } prefix) return (id, prefix);
        return (id, await RecordingFolders.FindAsync(context.RecordingStore(), id, session?.Start, context.CancellationToken).ConfigureAwait(false)
            ?? throw CliException.NotFound($"no recording of session '{id}' in {context.RecordingStore().Description}"));
    }

    /// <summary>A stream with no manifest yet, whose writer is alive and whose chunks so far are all there and readable.</summary>
    private static bool IsRunning(VerificationResult r, HashSet<string> running) =>
        running.Contains(r.Id) && r.Manifest is null && r.Unsealed is { Problem: null };

    /// <summary>The words for one verdict: the problem, or for a running stream how far it has got.</summary>
    internal static (string Result, string? Problem) Verdict(VerificationResult r, HashSet<string> running)
    {
        if (r.Ok) return ("ok", null);
        if (IsRunning(r, running))
            return ("running", r.Unsealed!.Chunks == 0
                ? "running, no chunk stored yet; signed when it ends"
                : $"running, {r.Unsealed.Chunks} chunk(s) so far, readable up to chunk {r.Unsealed.Chunks - 1}; signed when it ends");
        if (r.Manifest is null && r.Unsealed is { } unsealed)
            return ("failed", unsealed.Problem is { } gap
                ? $"no manifest, and {gap}"
                : running.Contains(r.Id)
                    ? "no manifest yet"
                    : $"manifest missing and nothing is writing it (no serve running here, or the session ended without it): {unsealed.Chunks} chunk(s) stored, unsigned");
        return ("failed", r.Problem);
    }

    private static void Report(CliContext context, IReadOnlyList<VerificationResult> results, HashSet<string> running, bool json, int? auditPeriods)
    {
        var views = results.Select(r =>
        {
            var (verdict, problem) = Verdict(r, running);
            return new VerifyView(r.Id, r.Prefix, verdict, problem, r.Manifest?.EndReason, r.Manifest?.Chunks.Count ?? r.Unsealed?.Chunks,
                r.Manifest?.Metadata.GetValueOrDefault("user"));
        }).ToList();
        if (json)
        {
            JsonOutput.Write(context.Out, views);
        }
        else
        {
            var table = new TableWriter("ID", "RESULT", "END", "CHUNKS", "PROBLEM");
            foreach (var v in views) table.Add(v.Id, v.Result, v.EndReason ?? "-", v.Chunks?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "-", v.Problem ?? "");
            table.Write(context.Out);
            if (auditPeriods is { } periods) context.Out.WriteLine(Summary(views, views.Count - periods, periods));
        }
        var failed = views.Where(v => v.Result == "failed").ToList();
        if (failed.Count > 0)
            throw CliException.Failure(failed.Count == 1 ? $"recording {failed[0].Id}: {failed[0].Problem}" : $"{failed.Count} of {views.Count} recordings failed verification");
    }

    private static readonly string[] VerdictOrder = ["ok", "running", "failed"];

    /// <summary>"12 recordings: 10 ok, 1 running, 1 failed; 3 audit periods: 2 ok, 1 running".</summary>
    private static string Summary(List<VerifyView> views, int recordings, int periods)
    {
        static string Count(IEnumerable<VerifyView> part, int total, string noun)
        {
            var counts = part.GroupBy(v => v.Result).ToDictionary(g => g.Key, g => g.Count());
            var words = VerdictOrder.Where(counts.ContainsKey).Select(k => $"{counts[k]} {k}");
            return $"{total} {noun}{(total == 1 ? "" : "s")}" + (total == 0 ? "" : ": " + string.Join(", ", words));
        }
        return Count(views.Take(recordings), recordings, "recording") + "; " + Count(views.Skip(recordings), periods, "audit period");
    }

    /// <summary>One recording's verdict as written by <c>--json</c>.</summary>
    public sealed record VerifyView(string Id, string Prefix, string Result, string? Problem, string? EndReason, int? Chunks, string? User);

    /// <summary>Progress on stderr, reported on the caller's thread (Progress&lt;T&gt; would post to the thread pool, out of order
    /// with the final table): one redrawn line on a terminal, one line per stream otherwise (a log keeps them all).</summary>
    private sealed class VerifyProgress(CliContext context, HashSet<string> running) : IProgress<VerificationProgress>
    {
        private bool _drawn;

        /// <summary>Streams counted before the current folder (recordings, while the audit log is checked).</summary>
        public int Total { get; set; }

        public void Report(VerificationProgress value)
        {
            var (verdict, _) = Verdict(value.Last, running);
            string line = $"[{Total + value.Done}/{Total + value.Total}] {value.Last.Id}: {(verdict == "failed" ? value.Last.Problem : verdict)}";
            if (!context.Runtime.Console.ErrorIsTerminal)
            {
                context.Error.WriteLine(line);
                return;
            }
            // \r and the erase-line sequence go to the raw stream; the line itself is escaped like every message.
            context.Runtime.Console.RawError.Write("\r\u001b[K");
            context.Error.Write(line.Length > 100 ? line[..100] : line);
            _drawn = true;
        }

        public void Finish()
        {
            if (_drawn) context.Runtime.Console.RawError.Write("\r\u001b[K");
        }
    }
}
