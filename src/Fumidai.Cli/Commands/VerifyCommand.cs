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
            if (every)
            {
                running = (await sessions.ListRunningSessionsAsync(context.CancellationToken).ConfigureAwait(false)).Select(s => s.Id).ToHashSet();
                var progress = new SynchronousProgress(p => context.Error.WriteLine(
                    $"[{p.Done}/{p.Total}] {p.Last.Id}: {(p.Last.Ok ? "ok" : running.Contains(p.Last.Id) ? "running" : p.Last.Problem)}"));
                var recordings = await verifier.VerifyAllAsync(ObjectLayout.RecordingsRoot, progress, context.CancellationToken).ConfigureAwait(false);
                var auditLog = await verifier.VerifyAllAsync(ObjectLayout.AuditRoot, progress, context.CancellationToken).ConfigureAwait(false);
                // Each node's newest audit period is still being written by a running serve: no manifest yet is expected.
                foreach (var open in auditLog.Where(r => !r.Ok && r.Manifest is null)
                             .GroupBy(r => NodeOf(r.Id)).Select(g => g.MaxBy(r => r.Id, StringComparer.Ordinal)!))
                    running.Add(open.Id);
                results = [.. recordings, .. auditLog];
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
                ["failed"] = results.Count(r => !r.Ok && !running.Contains(r.Id)).ToString(System.Globalization.CultureInfo.InvariantCulture),
            }).ConfigureAwait(false);
            Report(context, results, running, result.GetValue(json));
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

    private static void Report(CliContext context, IReadOnlyList<VerificationResult> results, HashSet<string> running, bool json)
    {
        var views = results.Select(r => new VerifyView(r.Id, r.Prefix, r.Ok ? "ok" : running.Contains(r.Id) ? "running" : "failed", r.Problem,
            r.Manifest?.EndReason, r.Manifest?.Chunks.Count, r.Manifest?.Metadata.GetValueOrDefault("user"))).ToList();
        if (json)
        {
            JsonOutput.Write(context.Out, views);
        }
        else
        {
            var table = new TableWriter("ID", "RESULT", "END", "CHUNKS", "PROBLEM");
            foreach (var v in views) table.Add(v.Id, v.Result, v.EndReason ?? "-", v.Chunks?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "-", v.Problem ?? "");
            table.Write(context.Out);
        }
        var failed = views.Where(v => v.Result == "failed").ToList();
        if (failed.Count > 0)
            throw CliException.Failure(failed.Count == 1 ? $"recording {failed[0].Id}: {failed[0].Problem}" : $"{failed.Count} of {views.Count} recordings failed verification");
    }

    /// <summary>One recording's verdict as written by <c>--json</c>.</summary>
    public sealed record VerifyView(string Id, string Prefix, string Result, string? Problem, string? EndReason, int? Chunks, string? User);

    /// <summary>Reports on the caller's thread (Progress&lt;T&gt; would post to the thread pool, out of order with the final table).</summary>
    private sealed class SynchronousProgress(Action<VerificationProgress> report) : IProgress<VerificationProgress>
    {
        public void Report(VerificationProgress value) => report(value);
    }
}
