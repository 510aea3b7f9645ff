using Fumidai.Gateway.Audit;
using Fumidai.Gateway.Storage;
using Fumidai.Ssh.Keys;
using Microsoft.Extensions.Logging;

namespace Fumidai.Gateway.Agents;

/// <summary>
/// What becomes of the host keys an agent reports for its sshd: pinned at once only for a target added with <c>--yes</c> that
/// has none yet; otherwise kept pending until an admin confirms them, and a report that differs from the pinned keys is audited.
/// </summary>
public sealed class AgentHostKeyReports(MetadataStore store, IAuditLog audit, ILogger logger)
{
    public async Task ReportAsync(string targetName, IReadOnlyList<string> lines, string source, CancellationToken cancellationToken)
    {
        var reported = new List<SshPublicKey>();
        foreach (var line in lines)
        {
            try
            {
                var key = SshPublicKey.ParseOpenSsh(line);
                if (key is not SshCertificate && !reported.Any(k => k.BlobEquals(key))) reported.Add(key);
            }
            catch (Exception ex) when (ex is FormatException or NotSupportedException or Fumidai.Ssh.SshProtocolException)
            {
                logger.LogWarning("agent {Target} reported an unreadable host key; ignored", targetName);
            }
        }
        if (reported.Count == 0) return;
        var target = await store.GetTargetAsync(targetName, cancellationToken).ConfigureAwait(false);
        var agent = await store.GetAgentTargetAsync(targetName, cancellationToken).ConfigureAwait(false);
        if (target is null || agent is null) return;
        var pinned = target.HostKeys.Select(SshPublicKey.ParseOpenSsh).ToList();
        string fingerprints = string.Join(',', reported.Select(k => k.Fingerprint));
        if (pinned.Count > 0 && reported.All(r => pinned.Any(p => p.BlobEquals(r))))
        {
            if (agent.PendingHostKeys.Count > 0) await store.SetAgentPendingHostKeysAsync(targetName, [], cancellationToken).ConfigureAwait(false);
            return;
        }
        if (pinned.Count == 0 && agent.AcceptFirstReport)
        {
            await store.UpdateTargetAsync(target with { HostKeys = reported.Select(k => k.ToString()).ToArray() }, cancellationToken).ConfigureAwait(false);
            await store.SetAgentPendingHostKeysAsync(targetName, [], cancellationToken).ConfigureAwait(false);
            logger.LogInformation("pinned host keys {Fingerprints} of {Target}, as its agent reported them first", fingerprints, targetName);
            await RecordAsync(targetName, source, "pinned", fingerprints, cancellationToken).ConfigureAwait(false);
            return;
        }
        await store.SetAgentPendingHostKeysAsync(targetName, reported.Select(k => k.ToString()).ToArray(), cancellationToken).ConfigureAwait(false);
        string state = pinned.Count == 0 ? "pending" : "differ-from-pinned";
        logger.LogWarning("agent {Target} reported host keys {Fingerprints} ({State}); confirm with `fumidai target confirm-agent {Target}`",
            targetName, fingerprints, state, targetName);
        await RecordAsync(targetName, source, state, fingerprints, cancellationToken).ConfigureAwait(false);
    }

    private Task<AuditEvent> RecordAsync(string target, string source, string state, string fingerprints, CancellationToken cancellationToken) =>
        audit.RecordAsync(AuditTypes.AgentHostKeys, state == "pinned" ? AuditOutcome.Success : AuditOutcome.Info, source: source, target: target,
            details: new Dictionary<string, string> { ["state"] = state, ["host_keys"] = fingerprints }, cancellationToken: cancellationToken);
}
