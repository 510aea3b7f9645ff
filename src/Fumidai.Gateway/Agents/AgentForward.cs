namespace Fumidai.Gateway.Agents;

/// <summary>A stream to an agent target's sshd over one agent connection, which can tell afterwards whether that connection was lost.</summary>
public sealed class AgentForward(Stream stream, AgentLink link)
{
    public Stream Stream { get; } = stream;

    /// <summary>
    /// Why the agent connection carrying this forward ended, or null while it lives. A session that lost its target asks this:
    /// the agent's connection and the forward inside it go down together, but which of the two is noticed first is a race, so
    /// the answer waits up to <paramref name="grace"/> for the connection's end.
    /// </summary>
    public async Task<string?> LostBecauseAsync(TimeSpan grace)
    {
        var gone = link.Connection.ShutdownToken;
        if (!gone.IsCancellationRequested)
        {
            try
            {
                await Task.Delay(grace, gone).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
            }
        }
        if (!gone.IsCancellationRequested) return null;
        return link.ClosedBecause is { } why ? $"its agent was disconnected: {why}" : "its agent disconnected";
    }
}
