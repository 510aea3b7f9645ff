using System.Diagnostics;
using System.Security.Cryptography;
using Fumidai.Ssh.Framing;
using Fumidai.Ssh.Kex;
using Fumidai.Ssh.Keys;
using Fumidai.Ssh.Wire;

namespace Fumidai.Ssh.Transport;

/// <summary>The key exchange state machine (RFC 4253 §7–8, OpenSSH PROTOCOL §1.9 strict kex, RFC 8308 ext-info).</summary>
public sealed partial class SshTransport
{
    private const int MaxEphemeralLength = 8 * 1024;
    private KexInitMessage? _localKexInitMessage;

    /// <summary>Sends our KEXINIT and closes the gate for other messages. Caller holds the write lock.</summary>
    private async ValueTask SendKexInitLockedAsync(CancellationToken cancellationToken)
    {
        var kex = new List<string>(_settings.KexAlgorithms);
        if (KeyExchangeCount == 0)
        {
            // Pseudo-algorithms count only in the first KEXINIT (strict kex and ext-info both say so).
            if (IsServer) kex.Add(AlgorithmNegotiation.StrictKexServer);
            else
            {
                kex.Add(AlgorithmNegotiation.ExtInfoClient);
                kex.Add(AlgorithmNegotiation.StrictKexClient);
            }
        }
        var hostKeyAlgorithms = IsServer ? ServerHostKeyAlgorithms() : _hostKeyAlgorithmsOverride ?? _settings.HostKeyAlgorithms.ToArray();
        if (hostKeyAlgorithms.Length == 0)
            throw new InvalidOperationException("no configured host key algorithm matches the host keys");
        var ciphers = _settings.Ciphers.ToArray();
        var macs = _settings.Macs.ToArray();
        string[] none = ["none"];
        var message = new KexInitMessage(kex.ToArray(), hostKeyAlgorithms, ciphers, ciphers, macs, macs, none, none, false);
        _localKexInitMessage = message;
        _localKexInit = message.Encode();
        _kexInProgress = true;
        _sentNewKeys = false;
        using var packet = SshWriter.ForPacket(MessageNumber.KexInit, _localKexInit.Length);
        packet.WriteRaw(_localKexInit.AsSpan(1));
        await _writer!.WritePacketAsync(packet, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>What the server offers: host certificates first (as OpenSSH does), then plain keys, each allowed by the settings.</summary>
    private string[] ServerHostKeyAlgorithms()
    {
        var certificates = _hostKeys.SelectMany(k => k.SignatureAlgorithms)
            .Where(a => SshKeyTypes.IsCertificateAlgorithm(a) && _settings.HostKeyAlgorithms.Contains(SshKeyTypes.WithoutCertSuffix(a)));
        var plain = _settings.HostKeyAlgorithms.Where(a => _hostKeys.Any(k => k.SignatureAlgorithms.Contains(a)));
        return certificates.Concat(plain).Distinct().ToArray();
    }

    private async ValueTask OnKexInitAsync(ReadOnlyMemory<byte> payload, CancellationToken cancellationToken)
    {
        if (_remoteKexInit is not null)
            throw new SshProtocolException(DisconnectReason.ProtocolError, "second KEXINIT during a key exchange");
        var remote = KexInitMessage.Decode(payload.Span);
        _remoteKexInit = payload.ToArray();
        if (!IsServer) PeerHostKeyAlgorithms = remote.ServerHostKeyAlgorithms;
        if (KeyExchangeCount == 0)
        {
            StrictKex = IsServer
                ? remote.KexAlgorithms.Contains(AlgorithmNegotiation.StrictKexClient)
                : remote.KexAlgorithms.Contains(AlgorithmNegotiation.StrictKexServer);
            if (IsServer) PeerWantsExtInfo = remote.KexAlgorithms.Contains(AlgorithmNegotiation.ExtInfoClient);
        }
        await _writeLock.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            ThrowIfClosed();
            if (!_kexInProgress) await SendKexInitLockedAsync(cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            _writeLock.Release();
        }
        var local = _localKexInitMessage!;
        _pending = IsServer ? AlgorithmNegotiation.Negotiate(remote, local) : AlgorithmNegotiation.Negotiate(local, remote);
        if (remote.FirstKexPacketFollows)
        {
            // RFC 4253 §7: a wrong guess means the guessed packet is silently dropped.
            bool guessedRight = remote.KexAlgorithms.FirstOrDefault() == _pending.Kex
                && remote.ServerHostKeyAlgorithms.FirstOrDefault() == _pending.HostKey;
            _ignoreGuessedPacket = !guessedRight;
        }
        if (!IsServer)
        {
            var method = GetMethod(_pending.Kex);
            _clientKex?.Dispose();
            _clientKex = method.StartAsClient();
            using var init = SshWriter.ForPacket(MessageNumber.KexEcdhInit, _clientKex.ClientEphemeral.Length + 8);
            init.WriteBinary(_clientKex.ClientEphemeral);
            await SendTransportMessageAsync(init, cancellationToken).ConfigureAwait(false);
        }
    }

    private async ValueTask OnKexMethodMessageAsync(ReadOnlyMemory<byte> payload, CancellationToken cancellationToken)
    {
        if (_pending is null || _remoteKexInit is null)
            throw new SshProtocolException(DisconnectReason.ProtocolError, "key exchange message without KEXINIT");
        if (_ignoreGuessedPacket)
        {
            _ignoreGuessedPacket = false;
            return;
        }
        if (_pendingReceiveCipher is not null || _sentNewKeys)
            throw new SshProtocolException(DisconnectReason.ProtocolError, "unexpected key exchange message");
        var method = GetMethod(_pending.Kex);
        if (IsServer) await ServerKexAsync(method, payload, cancellationToken).ConfigureAwait(false);
        else await ClientKexAsync(method, payload, cancellationToken).ConfigureAwait(false);
    }

    private async ValueTask ServerKexAsync(KeyExchangeMethod method, ReadOnlyMemory<byte> payload, CancellationToken cancellationToken)
    {
        byte[] clientEphemeral;
        {
            var reader = new SshReader(payload.Span);
            if (reader.ReadMessageNumber() != MessageNumber.KexEcdhInit)
                throw new SshProtocolException(DisconnectReason.ProtocolError, "expected KEX_ECDH_INIT");
            clientEphemeral = reader.ReadBinary(MaxEphemeralLength).ToArray();
            reader.EnsureEnd("KEX_ECDH_INIT");
        }
        var result = method.RespondAsServer(clientEphemeral);
        var hostKey = _hostKeys.First(k => k.SignatureAlgorithms.Contains(_pending!.HostKey));
        var hostKeyBlob = hostKey.PublicKey.Blob.Span;
        var exchangeHash = ExchangeHash.Compute(method.HashAlgorithm, RemoteVersion, LocalVersion, _remoteKexInit, _localKexInit,
            hostKeyBlob, clientEphemeral, result.ServerEphemeral, result.EncodedSharedSecret);
        if (SessionId.IsEmpty) SessionId = exchangeHash;
        var signature = hostKey.Sign(_pending!.HostKey, exchangeHash);
        using var reply = SshWriter.ForPacket(MessageNumber.KexEcdhReply, hostKeyBlob.Length + result.ServerEphemeral.Length + signature.Length + 16);
        reply.WriteBinary(hostKeyBlob);
        reply.WriteBinary(result.ServerEphemeral);
        reply.WriteBinary(signature);
        var (send, receive) = DeriveCiphers(method.HashAlgorithm, result.EncodedSharedSecret, exchangeHash);
        CryptographicOperations.ZeroMemory(result.EncodedSharedSecret);
        _pendingReceiveCipher = receive;
        await _writeLock.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            ThrowIfClosed();
            await _writer!.WritePacketAsync(reply, cancellationToken).ConfigureAwait(false);
            await SendNewKeysLockedAsync(send, cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            _writeLock.Release();
        }
    }

    private async ValueTask ClientKexAsync(KeyExchangeMethod method, ReadOnlyMemory<byte> payload, CancellationToken cancellationToken)
    {
        byte[] hostKeyBlob, serverEphemeral, signature;
        {
            var reader = new SshReader(payload.Span);
            if (reader.ReadMessageNumber() != MessageNumber.KexEcdhReply)
                throw new SshProtocolException(DisconnectReason.ProtocolError, "expected KEX_ECDH_REPLY");
            hostKeyBlob = reader.ReadBinary(MaxEphemeralLength * 2).ToArray();
            serverEphemeral = reader.ReadBinary(MaxEphemeralLength).ToArray();
            signature = reader.ReadBinary(MaxEphemeralLength).ToArray();
            reader.EnsureEnd("KEX_ECDH_REPLY");
        }
        var hostKey = SshPublicKey.FromBlob(hostKeyBlob);
        if (!hostKey.SignatureAlgorithms.Contains(_pending!.HostKey))
            throw new SshProtocolException(DisconnectReason.KeyExchangeFailed, $"host key of type {hostKey.KeyType} does not fit the negotiated {_pending.HostKey}");
        await _hostKeyVerifier!(hostKey, cancellationToken).ConfigureAwait(false);
        var clientKex = _clientKex ?? throw new SshProtocolException(DisconnectReason.ProtocolError, "KEX_ECDH_REPLY before our INIT");
        var sharedSecret = clientKex.ComputeSharedSecret(serverEphemeral);
        var exchangeHash = ExchangeHash.Compute(method.HashAlgorithm, LocalVersion, RemoteVersion, _localKexInit, _remoteKexInit,
            hostKeyBlob, clientKex.ClientEphemeral, serverEphemeral, sharedSecret);
        if (!hostKey.Verify(exchangeHash, signature, [_pending.HostKey]))
            throw new SshProtocolException(DisconnectReason.HostKeyNotVerifiable, "host key signature over the exchange hash does not verify");
        if (SessionId.IsEmpty) SessionId = exchangeHash;
        ServerHostKey = hostKey;
        var (send, receive) = DeriveCiphers(method.HashAlgorithm, sharedSecret, exchangeHash);
        CryptographicOperations.ZeroMemory(sharedSecret);
        clientKex.Dispose();
        _clientKex = null;
        _pendingReceiveCipher = receive;
        await _writeLock.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            ThrowIfClosed();
            await SendNewKeysLockedAsync(send, cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            _writeLock.Release();
        }
    }

    /// <summary>Sends NEWKEYS, switches the sending keys, then releases messages held during the exchange.</summary>
    private async ValueTask SendNewKeysLockedAsync(PacketCipher send, CancellationToken cancellationToken)
    {
        var writer = _writer!;
        using (var newKeys = SshWriter.ForPacket(MessageNumber.NewKeys, 1))
        {
            await writer.WritePacketAsync(newKeys, cancellationToken).ConfigureAwait(false);
        }
        var old = writer.Cipher;
        writer.Cipher = send;
        if (!ReferenceEquals(old, NoneCipher.Instance)) old.Dispose();
        if (StrictKex) writer.SequenceNumber = 0;
        writer.BytesSinceRekey = 0;
        _sentNewKeys = true;
        if (IsServer && PeerWantsExtInfo && KeyExchangeCount == 0)
        {
            // RFC 8308 §2.4: the server's EXT_INFO goes right after its first NEWKEYS.
            using var extInfo = SshWriter.ForPacket(MessageNumber.ExtInfo, 256);
            extInfo.WriteUInt32(1);
            extInfo.WriteString("server-sig-algs");
            extInfo.WriteNameList(_settings.UserKeySignatureAlgorithms);
            await writer.WritePacketAsync(extInfo, cancellationToken).ConfigureAwait(false);
        }
        while (_heldMessages.TryDequeue(out var held))
        {
            using var message = SshWriter.ForPacket((MessageNumber)held[0], held.Length);
            message.WriteRaw(held.AsSpan(1));
            await writer.WritePacketAsync(message, cancellationToken).ConfigureAwait(false);
        }
        _heldBytes = 0;
        _kexInProgress = false;
        _localKexInit = null;
        var done = _kexDone;
        _kexDone = NewCompletion();
        done.TrySetResult();
    }

    private void OnNewKeys(ReadOnlySpan<byte> payload)
    {
        if (payload.Length != 1) throw SshProtocolException.Malformed("NEWKEYS");
        var receive = _pendingReceiveCipher
            ?? throw new SshProtocolException(DisconnectReason.ProtocolError, "NEWKEYS before the key exchange finished");
        var reader = _reader!;
        var old = reader.Cipher;
        reader.Cipher = receive;
        if (!ReferenceEquals(old, NoneCipher.Instance)) old.Dispose();
        if (StrictKex) reader.SequenceNumber = 0;
        reader.BytesSinceRekey = 0;
        _pendingReceiveCipher = null;
        Algorithms = _pending;
        _pending = null;
        _remoteKexInit = null;
        KeyExchangeCount++;
        _firstKexDone = true;
        _lastKexTimestamp = Stopwatch.GetTimestamp();
    }

    private (PacketCipher Send, PacketCipher Receive) DeriveCiphers(HashAlgorithmName hash, byte[] sharedSecret, byte[] exchangeHash)
    {
        var pending = _pending!;
        var clientToServer = CreateCipher(hash, sharedSecret, exchangeHash, pending.CipherClientToServer, pending.MacClientToServer, 'A', 'C', 'E', forSealing: !IsServer);
        var serverToClient = CreateCipher(hash, sharedSecret, exchangeHash, pending.CipherServerToClient, pending.MacServerToClient, 'B', 'D', 'F', forSealing: IsServer);
        return IsServer ? (serverToClient, clientToServer) : (clientToServer, serverToClient);
    }

    private PacketCipher CreateCipher(HashAlgorithmName hash, byte[] sharedSecret, byte[] exchangeHash, string cipherName, string? macName,
        char ivLetter, char keyLetter, char macLetter, bool forSealing)
    {
        if (!CipherAlgorithms.TryGet(cipherName, out var cipher))
            throw new SshProtocolException(DisconnectReason.KeyExchangeFailed, "negotiated an unknown cipher");
        MacAlgorithm? mac = null;
        if (!cipher.IsAead && (macName is null || !MacAlgorithms.TryGet(macName, out mac)))
            throw new SshProtocolException(DisconnectReason.KeyExchangeFailed, "negotiated an unknown MAC");
        var sessionId = SessionId.Span;
        var iv = KeyDerivation.Derive(hash, sharedSecret, exchangeHash, ivLetter, sessionId, cipher.IvLength);
        var key = KeyDerivation.Derive(hash, sharedSecret, exchangeHash, keyLetter, sessionId, cipher.KeyLength);
        var macKey = mac is null ? [] : KeyDerivation.Derive(hash, sharedSecret, exchangeHash, macLetter, sessionId, mac.KeyLength);
        try
        {
            return cipher.Create(key, iv, mac, macKey, forSealing);
        }
        finally
        {
            CryptographicOperations.ZeroMemory(iv);
            CryptographicOperations.ZeroMemory(key);
            CryptographicOperations.ZeroMemory(macKey);
        }
    }

    private static KeyExchangeMethod GetMethod(string name) =>
        KeyExchangeMethods.TryGet(name, out var method)
            ? method
            : throw new SshProtocolException(DisconnectReason.KeyExchangeFailed, "negotiated an unknown key exchange method");

    /// <summary>Sends a transport-layer message past the kex gate (KEXINIT replies, DISCONNECT).</summary>
    private async ValueTask SendTransportMessageAsync(SshWriter message, CancellationToken cancellationToken)
    {
        await _writeLock.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            ThrowIfClosed();
            await _writer!.WritePacketAsync(message, cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            _writeLock.Release();
        }
    }
}
