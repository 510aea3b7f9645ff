using System.Security.Cryptography;
using System.Text;
using Fumidai.Ssh.Authentication;
using Fumidai.Ssh.Connection;
using Fumidai.Ssh.Connection.Requests;
using Fumidai.Ssh.Keys;
using Fumidai.Ssh.Server;

namespace Fumidai.Ssh.TestHost;

/// <summary>Authenticates against fixed credentials and serves session channels with <see cref="ExecHandlers"/>.</summary>
public sealed class TestHostApplication : ISshServerApplication, IChannelOpenHandler
{
    private readonly TestHostOptions _options;
    private readonly List<SshPublicKey> _keys;

    public TestHostApplication(TestHostOptions options)
    {
        _options = options;
        _keys = options.AuthorizedKeys.Select(SshPublicKey.ParseOpenSsh).ToList();
    }

    /// <summary>Every attempt the host saw, for tests that check what reached the application.</summary>
    public List<AuthenticationAttempt> Attempts { get; } = [];

    private List<string> FirstFactors()
    {
        var methods = new List<string>();
        if (_keys.Count > 0 || _options.Authentication.TrustedUserCaKeys.Count > 0) methods.Add(AuthenticationMethods.PublicKey);
        if (_options.Password is not null) methods.Add(AuthenticationMethods.Password);
        if (_options.KeyboardInteractiveAnswer is not null && !_options.RequireSecondFactor) methods.Add(AuthenticationMethods.KeyboardInteractive);
        return methods;
    }

    public async ValueTask<AuthenticationDecision> AuthenticateAsync(AuthenticationAttempt attempt, AuthenticationContext context, CancellationToken cancellationToken)
    {
        lock (Attempts) Attempts.Add(attempt);
        bool firstDone = context.CompletedMethods.Count > 0;
        var next = firstDone ? [AuthenticationMethods.KeyboardInteractive] : FirstFactors();
        switch (attempt)
        {
            // A certificate reaches the application only after the server checked it against TrustedUserCaKeys.
            case PublicKeyAttempt pk when !firstDone && (pk.Key is SshCertificate || _keys.Any(k => k.BlobEquals(pk.Key))):
            case PasswordAttempt pw when !firstDone && _options.Password is not null && SecretEquals(pw.Password, _options.Password):
                return _options.RequireSecondFactor
                    ? AuthenticationDecision.Partial(AuthenticationMethods.KeyboardInteractive)
                    : AuthenticationDecision.Success;
            case KeyboardInteractiveAttempt ki when _options.KeyboardInteractiveAnswer is not null && (firstDone || !_options.RequireSecondFactor):
            {
                var answers = await ki.Prompter.PromptAsync("", "", [new KeyboardInteractivePrompt("Verification code: ", false)], cancellationToken);
                return SecretEquals(answers[0], _options.KeyboardInteractiveAnswer)
                    ? AuthenticationDecision.Success
                    : AuthenticationDecision.Failure(next);
            }
            default:
                return AuthenticationDecision.Failure(next);
        }
    }

    private static bool SecretEquals(string a, string b) =>
        CryptographicOperations.FixedTimeEquals(Encoding.UTF8.GetBytes(a), Encoding.UTF8.GetBytes(b));

    public IChannelOpenHandler CreateChannelHandler(SshServerSession session) => this;

    public ValueTask<ChannelOpenDecision> OnChannelOpenAsync(ChannelOpenRequest request, CancellationToken cancellationToken)
    {
        if (request.ChannelType != "session")
            return ValueTask.FromResult(ChannelOpenDecision.Reject(ChannelOpenFailureReason.AdministrativelyProhibited, "only sessions"));
        return ValueTask.FromResult(ChannelOpenDecision.Accept(channel => channel.RequestHandler = (r, ct) => OnRequestAsync(channel, r)));
    }

    private static ValueTask<bool> OnRequestAsync(SshChannel channel, ChannelRequest request)
    {
        switch (request)
        {
            case ExecRequest exec:
                channel.RunAfterReply(() => RunExecAsync(channel, exec.Command));
                return ValueTask.FromResult(true);
            case PtyRequest or EnvRequest or WindowChangeRequest:
                return ValueTask.FromResult(true);
            default:
                return ValueTask.FromResult(false);
        }
    }

    private static async Task RunExecAsync(SshChannel channel, string command)
    {
        uint status;
        try
        {
            status = await ExecHandlers.RunAsync(command, channel, channel.ClosingToken);
        }
        catch (Exception ex) when (ex is OperationCanceledException or SshChannelClosedException or SshConnectionLostException or FormatException)
        {
            status = 255;
        }
        try
        {
            await channel.SendExitStatusAsync(status);
            await channel.SendEofAsync();
            await channel.CloseAsync();
        }
        catch (Exception ex) when (ex is SshConnectionLostException or SshChannelClosedException or IOException)
        {
        }
    }
}
