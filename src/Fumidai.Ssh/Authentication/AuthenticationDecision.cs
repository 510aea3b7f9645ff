namespace Fumidai.Ssh.Authentication;

/// <summary>The application's answer to one attempt: success, failure, or partial success with the methods allowed next.</summary>
public sealed record AuthenticationDecision(AuthenticationOutcome Outcome, IReadOnlyList<string> NextMethods)
{
    public static AuthenticationDecision Success { get; } = new(AuthenticationOutcome.Success, []);

    /// <summary>Text shown to the client in a USERAUTH_BANNER before the answer, e.g. why it was refused; null for none.</summary>
    public string? Notice { get; init; }

    /// <summary>The attempt failed; <paramref name="methodsThatCanContinue"/> are announced in USERAUTH_FAILURE.</summary>
    public static AuthenticationDecision Failure(params IReadOnlyList<string> methodsThatCanContinue) =>
        new(AuthenticationOutcome.Failure, methodsThatCanContinue);

    /// <summary>The attempt succeeded but more is required, e.g. TOTP after a key (RFC 4252 §5.1 partial success).</summary>
    public static AuthenticationDecision Partial(params IReadOnlyList<string> nextMethods) =>
        new(AuthenticationOutcome.PartialSuccess, nextMethods);
}

/// <summary>How an authentication attempt ended.</summary>
public enum AuthenticationOutcome
{
    Failure,
    PartialSuccess,
    Success,
}
