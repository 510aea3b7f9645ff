using Fumidai.Gateway.Sessions;

namespace Fumidai.Gateway.Bastion.Session;

/// <summary>The first of the things that can end a running session wins; later ones are ignored.</summary>
/// <remarks>
/// Each cause (relay finished, limit, drain cut, recording failure, store outage, revocation) reports here from its own
/// task or callback, so none of them can fault or cancel the wait, and the reason recorded is the one that acted first.
/// </remarks>
internal sealed class SessionEnd
{
    private readonly TaskCompletionSource<(SessionEndReason Reason, string? Notice)> _first = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public Task<(SessionEndReason Reason, string? Notice)> Decided => _first.Task;

    /// <param name="notice">What the operator is told, when the bastion ends the session; null when the session ended on its own.</param>
    public bool TrySet(SessionEndReason reason, string? notice = null) => _first.TrySetResult((reason, notice));
}
