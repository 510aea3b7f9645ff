namespace Fumidai.Ssh.Authentication;

/// <summary>Asks the client keyboard-interactive questions (RFC 4256 §3.2) and returns the answers.</summary>
public interface IKeyboardInteractivePrompter
{
    /// <summary>Sends one INFO_REQUEST and waits for its INFO_RESPONSE; answers come in prompt order.</summary>
    /// <exception cref="KeyboardInteractiveAbortedException">The client gave up this method and sent another request.</exception>
    ValueTask<string[]> PromptAsync(string name, string instruction, IReadOnlyList<KeyboardInteractivePrompt> prompts, CancellationToken cancellationToken);
}

/// <summary>One keyboard-interactive question; <see cref="Echo"/> false for secrets such as codes and passwords.</summary>
public sealed record KeyboardInteractivePrompt(string Prompt, bool Echo);

/// <summary>The client abandoned keyboard-interactive mid-way by sending a new USERAUTH_REQUEST.</summary>
public sealed class KeyboardInteractiveAbortedException : Exception
{
    public KeyboardInteractiveAbortedException() : base("client abandoned keyboard-interactive")
    {
    }
}
