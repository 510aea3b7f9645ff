using System.Diagnostics;
using Fumidai.Ssh.Keys;
using Fumidai.Ssh.Transport;
using Fumidai.Ssh.Wire;
using Microsoft.Extensions.Logging;

namespace Fumidai.Ssh.Authentication;

/// <summary>The server side of the RFC 4252 authentication protocol, driven by an <see cref="IServerAuthenticator"/>.</summary>
public sealed class ServerAuthentication : IKeyboardInteractivePrompter
{
    private const string UserAuthService = "ssh-userauth";
    private const string ConnectionService = "ssh-connection";
    private const int MaxUserNameLength = 256;
    private const int MaxSecretLength = 1024;

    private readonly SshTransport _transport;
    private readonly IServerAuthenticator _authenticator;
    private readonly ServerAuthenticationSettings _settings;
    private readonly int _maxAttempts;
    private readonly AuthenticationContext _context;
    private readonly ILogger _logger;
    private byte[]? _pendingRequest;
    private IReadOnlyList<string>? _methods;
    private string? _userName;
    private SshPublicKey? _verifiedKey;
    private int _failures;
    private int _rounds;

    private ServerAuthentication(SshTransport transport, IServerAuthenticator authenticator, ServerAuthenticationSettings settings,
        int maxAttempts, AuthenticationContext context, ILogger logger)
    {
        _transport = transport;
        _authenticator = authenticator;
        _settings = settings;
        _maxAttempts = maxAttempts;
        _context = context;
        _logger = logger;
    }

    /// <summary>Runs authentication to success; throws <see cref="SshProtocolException"/> when the client must be disconnected.</summary>
    /// <param name="maxAttempts">Failed attempts (excluding <c>none</c>) after which the client is disconnected.</param>
    public static async Task<AuthenticatedUser> RunAsync(SshTransport transport, IServerAuthenticator authenticator,
        ServerAuthenticationSettings settings, int maxAttempts, AuthenticationContext context, ILogger logger, CancellationToken cancellationToken)
    {
        var auth = new ServerAuthentication(transport, authenticator, settings, maxAttempts, context, logger);
        return await auth.RunAsync(cancellationToken).ConfigureAwait(false);
    }

    private async Task<AuthenticatedUser> RunAsync(CancellationToken cancellationToken)
    {
        await AcceptServiceAsync(cancellationToken).ConfigureAwait(false);
        if (_settings.Banner is { Length: > 0 } banner) await SendBannerAsync(banner, cancellationToken).ConfigureAwait(false);
        while (true)
        {
            byte[] request;
            if (_pendingRequest is not null)
            {
                request = _pendingRequest;
                _pendingRequest = null;
            }
            else
            {
                var packet = await _transport.ReceiveAsync(cancellationToken).ConfigureAwait(false);
                if (packet.Message != MessageNumber.UserAuthRequest)
                    throw new SshProtocolException(DisconnectReason.ProtocolError, $"message {(byte)packet.Message} before authentication");
                request = packet.Payload.ToArray();
            }
            long started = Stopwatch.GetTimestamp();
            var (decision, method) = await DecideAsync(request, cancellationToken).ConfigureAwait(false);
            if (decision is null) continue;
            switch (decision.Outcome)
            {
                case AuthenticationOutcome.Success:
                    _context.CompletedMethods.Add(method);
                    _context.Succeeding?.Invoke();
                    using (var success = SshWriter.ForPacket(MessageNumber.UserAuthSuccess, 1))
                        await _transport.SendAsync(success, cancellationToken).ConfigureAwait(false);
                    return new AuthenticatedUser(_userName!, _context.CompletedMethods.ToArray(), _verifiedKey, _context.State);
                case AuthenticationOutcome.PartialSuccess:
                    if (decision.Notice is { Length: > 0 } hint) await SendBannerAsync(hint, cancellationToken).ConfigureAwait(false);
                    _context.CompletedMethods.Add(method);
                    _methods = decision.NextMethods;
                    await SendFailureAsync(decision.NextMethods, partialSuccess: true, cancellationToken).ConfigureAwait(false);
                    break;
                default:
                    if (decision.NextMethods.Count > 0) _methods = decision.NextMethods;
                    if (method != AuthenticationMethods.None)
                    {
                        _failures++;
                        // Uniform delay: every failure takes as long as the slowest check would.
                        var remaining = _settings.FailureDelay - Stopwatch.GetElapsedTime(started);
                        if (remaining > TimeSpan.Zero) await Task.Delay(remaining, cancellationToken).ConfigureAwait(false);
                        // Before a possible DISCONNECT, so the last failure is explained too.
                        if (decision.Notice is { Length: > 0 } notice) await SendBannerAsync(notice, cancellationToken).ConfigureAwait(false);
                        if (_failures >= _maxAttempts)
                            throw new SshProtocolException(DisconnectReason.NoMoreAuthMethodsAvailable, "too many authentication failures");
                    }
                    await SendFailureAsync(_methods ?? [], partialSuccess: false, cancellationToken).ConfigureAwait(false);
                    break;
            }
        }
    }

    private async Task AcceptServiceAsync(CancellationToken cancellationToken)
    {
        var packet = await _transport.ReceiveAsync(cancellationToken).ConfigureAwait(false);
        if (packet.Message != MessageNumber.ServiceRequest)
            throw new SshProtocolException(DisconnectReason.ProtocolError, "expected SERVICE_REQUEST");
        var reader = new SshReader(packet.Payload.Span);
        reader.ReadMessageNumber();
        string service = reader.ReadString();
        reader.EnsureEnd("SERVICE_REQUEST");
        if (service != UserAuthService)
            throw new SshProtocolException(DisconnectReason.ServiceNotAvailable, "service not available");
        using var accept = SshWriter.ForPacket(MessageNumber.ServiceAccept, 32);
        accept.WriteString(UserAuthService);
        await _transport.SendAsync(accept, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Parses one request and asks the application; null means the request was answered here (PK_OK).</summary>
    private async Task<(AuthenticationDecision? Decision, string Method)> DecideAsync(byte[] request, CancellationToken cancellationToken)
    {
        var (user, service, method, offset) = ParseHeader(request);
        bool unprintable = ControlText.IndexOfUnsafe(user) >= 0;
        if (_userName is not null && user != _userName && _context.CompletedMethods.Count > 0)
            throw new SshProtocolException(DisconnectReason.ProtocolError, "user name changed after partial authentication");
        if (_userName != user)
        {
            _userName = user;
            _methods = null;
        }
        _methods ??= (await _authenticator.AuthenticateAsync(new NoneAttempt(user), _context, cancellationToken).ConfigureAwait(false)).NextMethods;
        // The application has seen the name once (above, and may audit it escaped); a name that could rewrite a terminal or a
        // log line goes no further, so nothing below logs it raw.
        if (unprintable && method != AuthenticationMethods.None)
            return (AuthenticationDecision.Failure(_methods), method);
        if (service != ConnectionService)
            return (AuthenticationDecision.Failure(_methods), method);
        if (method != AuthenticationMethods.None && !_methods.Contains(method))
            return (AuthenticationDecision.Failure(_methods), method);
        switch (method)
        {
            case AuthenticationMethods.None:
                return (AuthenticationDecision.Failure(_methods), method);
            case AuthenticationMethods.PublicKey:
                return await PublicKeyAsync(request, offset, user, cancellationToken).ConfigureAwait(false);
            case AuthenticationMethods.Password:
            {
                var (change, password) = ParsePassword(request, offset);
                if (change) return (AuthenticationDecision.Failure(_methods), method);
                var decision = await _authenticator.AuthenticateAsync(new PasswordAttempt(user, password), _context, cancellationToken).ConfigureAwait(false);
                return (decision, method);
            }
            case AuthenticationMethods.KeyboardInteractive:
            {
                string submethods = ParseKeyboardInteractive(request, offset);
                _rounds = 0;
                try
                {
                    var decision = await _authenticator.AuthenticateAsync(new KeyboardInteractiveAttempt(user, submethods, this), _context, cancellationToken).ConfigureAwait(false);
                    return (decision, method);
                }
                catch (KeyboardInteractiveAbortedException)
                {
                    return (AuthenticationDecision.Failure(_methods), method);
                }
            }
            default:
                return (AuthenticationDecision.Failure(_methods), AuthenticationMethods.None);
        }
    }

    private static (string User, string Service, string Method, int Offset) ParseHeader(byte[] request)
    {
        var reader = new SshReader(request);
        reader.ReadMessageNumber();
        string user = reader.ReadString(MaxUserNameLength);
        string service = reader.ReadString();
        string method = reader.ReadString();
        return (user, service, method, reader.Position);
    }

    private static (bool Change, string Password) ParsePassword(byte[] request, int offset)
    {
        var reader = new SshReader(request.AsSpan(offset));
        bool change = reader.ReadBoolean();
        string password = reader.ReadString(MaxSecretLength);
        if (!change) reader.EnsureEnd("password request");
        return (change, password);
    }

    private static string ParseKeyboardInteractive(byte[] request, int offset)
    {
        var reader = new SshReader(request.AsSpan(offset));
        reader.ReadString(); // language tag, deprecated (RFC 4256 §3.1)
        string submethods = reader.ReadString();
        reader.EnsureEnd("keyboard-interactive request");
        return submethods;
    }

    private async Task<(AuthenticationDecision? Decision, string Method)> PublicKeyAsync(byte[] request, int offset, string user, CancellationToken cancellationToken)
    {
        const string method = AuthenticationMethods.PublicKey;
        var (signed, algorithm, blob, signature) = ParsePublicKey(request, offset);
        if (!SshPublicKey.TryFromBlob(blob, out var key) || !key.SignatureAlgorithms.Contains(algorithm)
            || !IsAcceptedAlgorithm(algorithm))
        {
            // Unknown key types and ssh-rsa (SHA-1) are refused with a failure, never a disconnect.
            _logger.LogDebug("publickey: refused algorithm {Algorithm}", algorithm);
            return (AuthenticationDecision.Failure(_methods!), signed ? method : AuthenticationMethods.None);
        }
        if (!signed)
        {
            using var ok = SshWriter.ForPacket(MessageNumber.UserAuthPkOk, blob.Length + algorithm.Length + 16);
            ok.WriteString(algorithm);
            ok.WriteBinary(blob);
            await _transport.SendAsync(ok, cancellationToken).ConfigureAwait(false);
            return (null, method);
        }
        // RFC 4252 §7: the signature covers the session identifier and the request up to the signature.
        var sessionId = _transport.SessionId.Span;
        using var signedData = new SshWriter(sessionId.Length + request.Length + 8);
        signedData.WriteBinary(sessionId);
        signedData.WriteRaw(request.AsSpan(0, request.Length - 4 - signature.Length));
        if (!key.Verify(signedData.WrittenSpan, signature, [algorithm]))
        {
            _logger.LogDebug("publickey: signature for {User} did not verify", user);
            return (AuthenticationDecision.Failure(_methods!), method);
        }
        if (key is SshCertificate certificate && CertificateRefusal(certificate, user) is { } refusal)
        {
            await _authenticator.AuthenticateAsync(refusal, _context, cancellationToken).ConfigureAwait(false);
            return (AuthenticationDecision.Failure(_methods!), method);
        }
        var decision = await _authenticator.AuthenticateAsync(new PublicKeyAttempt(user, key, algorithm), _context, cancellationToken).ConfigureAwait(false);
        if (decision.Outcome != AuthenticationOutcome.Failure) _verifiedKey = key;
        return (decision, method);
    }

    private static (bool Signed, string Algorithm, byte[] Blob, byte[] Signature) ParsePublicKey(byte[] request, int offset)
    {
        var reader = new SshReader(request.AsSpan(offset));
        bool signed = reader.ReadBoolean();
        string algorithm = reader.ReadString();
        var blob = reader.ReadBinary(16 * 1024).ToArray();
        var signature = signed ? reader.ReadBinary(16 * 1024).ToArray() : [];
        reader.EnsureEnd(signed ? "publickey request" : "publickey query");
        return (signed, algorithm, blob, signature);
    }

    /// <summary>Checks a user certificate as sshd does with TrustedUserCAKeys: CA, principal = login, validity, options; null: accepted.</summary>
    private RefusedCertificateAttempt? CertificateRefusal(SshCertificate certificate, string user)
    {
        string? source = (_context.RemoteEndPoint as System.Net.IPEndPoint)?.Address.ToString();
        string principal = _settings.CertificatePrincipal?.Invoke(user) ?? user;
        if (CertificateValidation.ValidateUserCertificate(certificate, _settings.TrustedUserCaKeys, principal, DateTimeOffset.UtcNow, source, out var reason))
            return null;
        _logger.LogInformation("publickey: certificate {KeyId} refused for {User}: {Reason}", certificate.KeyId, user, reason);
        bool fromTrustedCa = CertificateValidation.IsFromTrustedCa(certificate, _settings.TrustedUserCaKeys) && certificate.VerifyCaSignature();
        return new RefusedCertificateAttempt(user, certificate, reason!, fromTrustedCa);
    }

    private bool IsAcceptedAlgorithm(string algorithm)
    {
        var accepted = _transport.Settings.UserKeySignatureAlgorithms;
        if (accepted.Contains(algorithm)) return true;
        // Certificates are named TYPE-cert-v01@openssh.com; their signature algorithm is the plain one.
        return SshKeyTypes.IsCertificateAlgorithm(algorithm) && accepted.Contains(SshKeyTypes.WithoutCertSuffix(algorithm));
    }

    private async Task SendBannerAsync(string text, CancellationToken cancellationToken)
    {
        using var message = SshWriter.ForPacket(MessageNumber.UserAuthBanner, text.Length * 3 + 16);
        message.WriteString(text);
        message.WriteString("");
        await _transport.SendAsync(message, cancellationToken).ConfigureAwait(false);
    }

    private async Task SendFailureAsync(IReadOnlyList<string> methods, bool partialSuccess, CancellationToken cancellationToken)
    {
        using var failure = SshWriter.ForPacket(MessageNumber.UserAuthFailure, 64);
        failure.WriteNameList(methods);
        failure.WriteBoolean(partialSuccess);
        await _transport.SendAsync(failure, cancellationToken).ConfigureAwait(false);
    }

    async ValueTask<string[]> IKeyboardInteractivePrompter.PromptAsync(string name, string instruction,
        IReadOnlyList<KeyboardInteractivePrompt> prompts, CancellationToken cancellationToken)
    {
        if (++_rounds > _settings.MaxKeyboardInteractiveRounds)
            throw new SshProtocolException(DisconnectReason.ProtocolError, "too many keyboard-interactive rounds");
        using (var info = SshWriter.ForPacket(MessageNumber.UserAuthInfoRequest, 128))
        {
            info.WriteString(name);
            info.WriteString(instruction);
            info.WriteString("");
            info.WriteUInt32((uint)prompts.Count);
            foreach (var prompt in prompts)
            {
                info.WriteString(prompt.Prompt);
                info.WriteBoolean(prompt.Echo);
            }
            await _transport.SendAsync(info, cancellationToken).ConfigureAwait(false);
        }
        var packet = await _transport.ReceiveAsync(cancellationToken).ConfigureAwait(false);
        if (packet.Message == MessageNumber.UserAuthRequest)
        {
            _pendingRequest = packet.Payload.ToArray();
            throw new KeyboardInteractiveAbortedException();
        }
        if (packet.Message != MessageNumber.UserAuthInfoResponse)
            throw new SshProtocolException(DisconnectReason.ProtocolError, "expected USERAUTH_INFO_RESPONSE");
        var reader = new SshReader(packet.Payload.Span);
        reader.ReadMessageNumber();
        uint count = reader.ReadUInt32();
        if (count != prompts.Count)
            throw new SshProtocolException(DisconnectReason.ProtocolError, "keyboard-interactive answer count does not match the prompts");
        var answers = new string[count];
        for (int i = 0; i < answers.Length; i++) answers[i] = reader.ReadString(MaxSecretLength);
        reader.EnsureEnd("USERAUTH_INFO_RESPONSE");
        return answers;
    }
}
