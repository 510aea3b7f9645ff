namespace Fumidai.Gateway.Identity.Idp;

/// <summary>What the IdP says of a user asked about with her refresh token.</summary>
public abstract record IdpAnswer
{
    private IdpAnswer()
    {
    }

    /// <summary>She is still there: her subject, user name claim and groups (null when the IdP sent no groups claim), and the token to keep.</summary>
    public sealed record Known(string Subject, string? UserName, IReadOnlyList<string>? Groups, string? NextRefreshToken) : IdpAnswer;

    /// <summary>The IdP refuses her grant (<c>invalid_grant</c>): the account is gone, disabled, or her sign-in was revoked.</summary>
    public sealed record Gone(string Reason) : IdpAnswer;
}

/// <summary>The IdP could not be asked, or answered something that says nothing about the user; nobody is changed because of it.</summary>
public sealed class IdpUnavailableException(string message, Exception? inner = null) : Exception(message, inner);
