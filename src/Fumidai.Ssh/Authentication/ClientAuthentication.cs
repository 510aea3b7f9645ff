using Fumidai.Ssh.Keys;
using Fumidai.Ssh.Transport;
using Fumidai.Ssh.Wire;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Fumidai.Ssh.Authentication;

/// <summary>The client side of RFC 4252 authentication: <c>none</c>, then publickey, password, keyboard-interactive (RFC 4256).</summary>
/// <remarks>
/// Follows the server's USERAUTH_FAILURE lists, including partial success (several factors in a row). Each key is offered
/// once, first as a query without signature, then signed over the session identifier as RFC 4252 §7 describes.
/// </remarks>
public sealed class ClientAuthentication
{
    private const string UserAuthService = "ssh-userauth";
    private const string ConnectionService = "ssh-connection";
    private const int MaxAttempts = 32;
    private const int MaxKeyboardInteractiveRounds = 16;
    private const int MaxPrompts = 32;
    private const int MaxBannerLength = 64 * 1024;
    private const int MaxPromptLength = 16 * 1024;

    private readonly SshTransport _transport;
    private readonly ClientCredentials _credentials;
    private readonly ILogger _logger;
    private readonly List<string> _tried = [];
    private readonly List<string> _completed = [];
    private IReadOnlyList<string> _offered = [];

    private ClientAuthentication(SshTransport transport, ClientCredentials credentials, ILogger logger)
    {
        _transport = transport;
        _credentials = credentials;
        _logger = logger;
    }

    /// <summary>Authenticates and returns the methods that succeeded, in order; throws <see cref="ClientAuthenticationException"/> when refused.</summary>
    public static Task<IReadOnlyList<string>> RunAsync(SshTransport transport, ClientCredentials credentials, ILogger? logger,
        CancellationToken cancellationToken) =>
        new ClientAuthentication(transport, credentials, logger ?? NullLogger.Instance).RunAsync(cancellationToken);

    /// <summary>The user-key signature algorithm to use with <paramref name="key"/>, or null when the server accepts none of them.</summary>
    /// <remarks>RSA follows <c>server-sig-algs</c> (rsa-sha2-512, else rsa-sha2-256) and never falls back to SHA-1 <c>ssh-rsa</c>.</remarks>
    public static string? ChooseSignatureAlgorithm(SshPrivateKey key, IReadOnlyList<string>? serverSignatureAlgorithms)
    {
        foreach (var algorithm in key.SignatureAlgorithms)
        {
            string plain = SshKeyTypes.WithoutCertSuffix(algorithm);
            if (plain == SshKeyTypes.Rsa) continue;
            bool isRsa = plain is SshKeyTypes.RsaSha2_512 or SshKeyTypes.RsaSha2_256;
            // Without server-sig-algs (no EXT_INFO) only the key's own preference is left to go by.
            if (!isRsa || serverSignatureAlgorithms is null || serverSignatureAlgorithms.Contains(plain)) return algorithm;
        }
        return null;
    }

    private async Task<IReadOnlyList<string>> RunAsync(CancellationToken cancellationToken)
    {
        await RequestServiceAsync(cancellationToken).ConfigureAwait(false);
        var reply = await SendRequestAsync(AuthenticationMethods.None, static _ => { }, cancellationToken).ConfigureAwait(false);
        _tried.Add(AuthenticationMethods.None);
        var keys = new Queue<SshPrivateKey>(_credentials.Keys);
        bool passwordTried = false, keyboardInteractiveTried = false;
        for (int attempt = 0; attempt < MaxAttempts; attempt++)
        {
            if (reply.Success)
            {
                _completed.Add(reply.Method);
                return _completed;
            }
            _offered = reply.Methods;
            if (reply.PartialSuccess)
            {
                _completed.Add(reply.Method);
                // A further factor may ask new questions (e.g. a one-time code after the first factor).
                keyboardInteractiveTried = false;
            }
            if (_offered.Contains(AuthenticationMethods.PublicKey) && keys.TryDequeue(out var key))
            {
                reply = await PublicKeyAsync(key, cancellationToken).ConfigureAwait(false) ?? reply with { PartialSuccess = false };
            }
            else if (_offered.Contains(AuthenticationMethods.Password) && _credentials.Password is { } password && !passwordTried)
            {
                passwordTried = true;
                reply = await PasswordAsync(password, cancellationToken).ConfigureAwait(false);
            }
            else if (_offered.Contains(AuthenticationMethods.KeyboardInteractive) && _credentials.KeyboardInteractive is { } callback
                && !keyboardInteractiveTried)
            {
                keyboardInteractiveTried = true;
                reply = await KeyboardInteractiveAsync(callback, cancellationToken).ConfigureAwait(false);
            }
            else
            {
                break;
            }
        }
        throw new ClientAuthenticationException(_credentials.UserName, _tried, _offered,
            _completed.Count > 0 ? "partially authenticated by " + string.Join(", ", _completed) : null);
    }

    private async Task RequestServiceAsync(CancellationToken cancellationToken)
    {
        using (var request = SshWriter.ForPacket(MessageNumber.ServiceRequest, 32))
        {
            request.WriteString(UserAuthService);
            await _transport.SendAsync(request, cancellationToken).ConfigureAwait(false);
        }
        var packet = await _transport.ReceiveAsync(cancellationToken).ConfigureAwait(false);
        if (packet.Message != MessageNumber.ServiceAccept)
            throw new SshProtocolException(DisconnectReason.ProtocolError, $"expected SERVICE_ACCEPT, got message {(byte)packet.Message}");
        var reader = new SshReader(packet.Payload.Span);
        reader.ReadMessageNumber();
        if (reader.ReadString() != UserAuthService)
            throw new SshProtocolException(DisconnectReason.ProtocolError, "SERVICE_ACCEPT for another service");
    }

    /// <summary>Writes the common USERAUTH_REQUEST header (RFC 4252 §5) and the method fields, and sends it.</summary>
    private async Task<AuthReply> SendRequestAsync(string method, Action<SshWriter> writeFields, CancellationToken cancellationToken)
    {
        using (var request = SshWriter.ForPacket(MessageNumber.UserAuthRequest, 256))
        {
            WriteHeader(request, method);
            writeFields(request);
            await _transport.SendAsync(request, cancellationToken).ConfigureAwait(false);
        }
        return await ReceiveReplyAsync(method, cancellationToken).ConfigureAwait(false);
    }

    private void WriteHeader(SshWriter writer, string method)
    {
        writer.WriteString(_credentials.UserName);
        writer.WriteString(ConnectionService);
        writer.WriteString(method);
    }

    private async Task<AuthReply?> PublicKeyAsync(SshPrivateKey key, CancellationToken cancellationToken)
    {
        const string method = AuthenticationMethods.PublicKey;
        string label = Describe(key);
        string? algorithm = ChooseSignatureAlgorithm(key, _transport.ServerSignatureAlgorithms);
        if (algorithm is null)
        {
            _tried.Add($"{method} {label} (skipped: server-sig-algs lists none of its algorithms)");
            return null;
        }
        label = $"{method} {algorithm} {label}";
        byte[] blob = key.PublicKey.Blob.ToArray();
        // Query first (RFC 4252 §7): a key the server would refuse costs no signature.
        var reply = await SendRequestAsync(method, w =>
        {
            w.WriteBoolean(false);
            w.WriteString(algorithm);
            w.WriteBinary(blob);
        }, cancellationToken).ConfigureAwait(false);
        if (reply.Message != MessageNumber.UserAuthPkOk)
        {
            _tried.Add(label + " (not accepted)");
            return reply;
        }
        CheckPkOk(reply.Payload, algorithm, blob);

        byte[] signature;
        using (var signed = new SshWriter(_transport.SessionId.Length + blob.Length + 256))
        {
            signed.WriteBinary(_transport.SessionId.Span);
            signed.WriteMessageNumber(MessageNumber.UserAuthRequest);
            WriteHeader(signed, method);
            signed.WriteBoolean(true);
            signed.WriteString(algorithm);
            signed.WriteBinary(blob);
            signature = key.Sign(algorithm, signed.WrittenSpan);
        }
        reply = await SendRequestAsync(method, w =>
        {
            w.WriteBoolean(true);
            w.WriteString(algorithm);
            w.WriteBinary(blob);
            w.WriteBinary(signature);
        }, cancellationToken).ConfigureAwait(false);
        if (reply.Message == MessageNumber.UserAuthPkOk)
            throw new SshProtocolException(DisconnectReason.ProtocolError, "PK_OK in answer to a signed request");
        _tried.Add(label + (reply.Success || reply.PartialSuccess ? "" : " (signature refused)"));
        return reply;
    }

    private static void CheckPkOk(byte[] payload, string algorithm, byte[] blob)
    {
        var reader = new SshReader(payload);
        reader.ReadMessageNumber();
        string okAlgorithm = reader.ReadString();
        var okBlob = reader.ReadBinary(SshPublicKey.MaxBlobLength);
        reader.EnsureEnd("USERAUTH_PK_OK");
        if (okAlgorithm != algorithm || !okBlob.SequenceEqual(blob))
            throw new SshProtocolException(DisconnectReason.ProtocolError, "USERAUTH_PK_OK for a key we did not offer");
    }

    private static string Describe(SshPrivateKey key) => key.PublicKey is SshCertificate certificate
        ? $"{certificate.Key.Fingerprint} certificate ID \"{certificate.KeyId}\" serial {certificate.Serial}"
        : key.PublicKey.Fingerprint;

    private async Task<AuthReply> PasswordAsync(string password, CancellationToken cancellationToken)
    {
        const string method = AuthenticationMethods.Password;
        var reply = await SendRequestAsync(method, w =>
        {
            w.WriteBoolean(false);
            w.WriteString(password);
        }, cancellationToken).ConfigureAwait(false);
        if (reply.Message == MessageNumber.UserAuthPkOk)
        {
            // SSH_MSG_USERAUTH_PASSWD_CHANGEREQ (RFC 4252 §8): we never change passwords, so the method failed.
            _tried.Add(method + " (server demands a password change)");
            return new AuthReply(method, MessageNumber.UserAuthFailure, false, _offered, false, []);
        }
        _tried.Add(method + (reply.Success || reply.PartialSuccess ? "" : " (refused)"));
        return reply;
    }

    private async Task<AuthReply> KeyboardInteractiveAsync(KeyboardInteractiveCallback callback, CancellationToken cancellationToken)
    {
        const string method = AuthenticationMethods.KeyboardInteractive;
        var reply = await SendRequestAsync(method, w =>
        {
            w.WriteString(""); // language tag, deprecated (RFC 4256 §3.1)
            w.WriteString(""); // submethods: let the server choose
        }, cancellationToken).ConfigureAwait(false);
        int rounds = 0;
        while (reply.Message == MessageNumber.UserAuthInfoRequest)
        {
            if (++rounds > MaxKeyboardInteractiveRounds)
                throw new SshProtocolException(DisconnectReason.ProtocolError, "too many keyboard-interactive rounds");
            var (name, instruction, prompts) = ParseInfoRequest(reply.Payload);
            string[] answers = prompts.Count == 0 ? [] : await callback(name, instruction, prompts, cancellationToken).ConfigureAwait(false);
            if (answers.Length != prompts.Count)
                throw new InvalidOperationException($"the keyboard-interactive callback gave {answers.Length} answers to {prompts.Count} prompts");
            using (var response = SshWriter.ForPacket(MessageNumber.UserAuthInfoResponse, 64))
            {
                response.WriteUInt32((uint)answers.Length);
                foreach (var answer in answers) response.WriteString(answer);
                await _transport.SendAsync(response, cancellationToken).ConfigureAwait(false);
            }
            reply = await ReceiveReplyAsync(method, cancellationToken).ConfigureAwait(false);
        }
        _tried.Add(method + (reply.Success || reply.PartialSuccess ? "" : " (refused)"));
        return reply;
    }

    private static (string Name, string Instruction, IReadOnlyList<KeyboardInteractivePrompt> Prompts) ParseInfoRequest(byte[] payload)
    {
        var reader = new SshReader(payload);
        reader.ReadMessageNumber();
        string name = reader.ReadString(MaxPromptLength);
        string instruction = reader.ReadString(MaxPromptLength);
        reader.ReadString(); // language tag
        uint count = reader.ReadUInt32();
        if (count > MaxPrompts) throw SshProtocolException.Malformed("USERAUTH_INFO_REQUEST: too many prompts");
        var prompts = new KeyboardInteractivePrompt[count];
        for (int i = 0; i < prompts.Length; i++) prompts[i] = new KeyboardInteractivePrompt(reader.ReadString(MaxPromptLength), reader.ReadBoolean());
        reader.EnsureEnd("USERAUTH_INFO_REQUEST");
        return (name, instruction, prompts);
    }

    /// <summary>Waits for the answer to a request, passing banners to the callback on the way.</summary>
    private async Task<AuthReply> ReceiveReplyAsync(string method, CancellationToken cancellationToken)
    {
        while (true)
        {
            var packet = await _transport.ReceiveAsync(cancellationToken).ConfigureAwait(false);
            switch (packet.Message)
            {
                case MessageNumber.UserAuthBanner:
                    OnBanner(packet.Payload.Span);
                    continue;
                case MessageNumber.UserAuthSuccess:
                    if (packet.Payload.Length != 1) throw SshProtocolException.Malformed("USERAUTH_SUCCESS");
                    return new AuthReply(method, packet.Message, true, [], false, []);
                case MessageNumber.UserAuthFailure:
                {
                    var reader = new SshReader(packet.Payload.Span);
                    reader.ReadMessageNumber();
                    var methods = reader.ReadNameList();
                    bool partial = reader.ReadBoolean();
                    reader.EnsureEnd("USERAUTH_FAILURE");
                    _logger.LogDebug("authentication: {Method} answered with failure, partial {Partial}, can continue: {Methods}", method, partial, string.Join(',', methods));
                    return new AuthReply(method, packet.Message, false, methods, partial, []);
                }
                case MessageNumber.UserAuthPkOk when method is AuthenticationMethods.PublicKey or AuthenticationMethods.Password
                    or AuthenticationMethods.KeyboardInteractive:
                    return new AuthReply(method, packet.Message, false, _offered, false, packet.Payload.ToArray());
                default:
                    throw new SshProtocolException(DisconnectReason.ProtocolError, $"message {(byte)packet.Message} during authentication");
            }
        }
    }

    private void OnBanner(ReadOnlySpan<byte> payload)
    {
        var reader = new SshReader(payload);
        reader.ReadMessageNumber();
        string text = reader.ReadString(MaxBannerLength);
        reader.ReadString(); // language tag
        reader.EnsureEnd("USERAUTH_BANNER");
        _credentials.BannerReceived?.Invoke(text);
    }

    /// <summary>One answer from the server: success, failure (with the methods that can continue), or a method-specific message 60.</summary>
    private sealed record AuthReply(string Method, MessageNumber Message, bool Success, IReadOnlyList<string> Methods, bool PartialSuccess, byte[] Payload);
}
