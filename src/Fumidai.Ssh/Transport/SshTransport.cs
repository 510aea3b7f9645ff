using System.Diagnostics;
using System.Runtime.CompilerServices;
using Fumidai.Ssh.Framing;
using Fumidai.Ssh.Kex;
using Fumidai.Ssh.Keys;
using Fumidai.Ssh.Wire;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Fumidai.Ssh.Transport;

/// <summary>
/// The SSH transport layer (RFC 4253) shared by the server and the client role: version exchange, framing, key
/// exchange and rekey with strict kex, ext-info, and a write gate that holds messages while keys change.
/// </summary>
/// <remarks>
/// One consumer calls <see cref="ReceiveAsync"/> in a loop; transport messages (KEXINIT, NEWKEYS, kex replies, IGNORE,
/// DEBUG, EXT_INFO, DISCONNECT) are handled inside it, so a key exchange never waits for the layers above.
/// Any number of writers may call <see cref="SendAsync"/> concurrently.
/// </remarks>
public sealed partial class SshTransport : IAsyncDisposable
{
    private readonly Stream _stream;
    private readonly SshTransportSettings _settings;
    private readonly IReadOnlyList<SshPrivateKey> _hostKeys;
    private readonly HostKeyVerifier? _hostKeyVerifier;
    private readonly ILogger _logger;
    private readonly SemaphoreSlim _writeLock = new(1, 1);
    private readonly Queue<byte[]> _heldMessages = new();
    private PacketReader? _reader;
    private PacketWriter? _writer;
    private int _heldBytes;
    private bool _closed;

    // Key exchange state. Fields touched by writers are guarded by _writeLock.
    private bool _kexInProgress;
    private TaskCompletionSource _kexDone = NewCompletion();
    private byte[]? _localKexInit;
    private byte[]? _remoteKexInit;
    private NegotiatedAlgorithms? _pending;
    private KexClientState? _clientKex;
    private PacketCipher? _pendingReceiveCipher;
    private bool _sentNewKeys;
    private bool _ignoreGuessedPacket;
    private bool _firstKexDone;
    private long _lastKexTimestamp;

    private SshTransport(Stream stream, bool isServer, SshTransportSettings settings, IReadOnlyList<SshPrivateKey> hostKeys,
        HostKeyVerifier? verifier, ILogger? logger)
    {
        _stream = stream;
        IsServer = isServer;
        _settings = settings;
        _hostKeys = hostKeys;
        _hostKeyVerifier = verifier;
        _logger = logger ?? NullLogger.Instance;
        LocalVersion = settings.SoftwareVersion;
    }

    public bool IsServer { get; }

    public string LocalVersion { get; }

    public string RemoteVersion { get; private set; } = "";

    /// <summary>The exchange hash of the first key exchange (RFC 4253 §7.2); signed in public key authentication.</summary>
    public ReadOnlyMemory<byte> SessionId { get; private set; }

    /// <summary>The algorithms in force since the most recent key exchange.</summary>
    public NegotiatedAlgorithms? Algorithms { get; private set; }

    /// <summary>True when both sides agreed to strict kex (the Terrapin countermeasure).</summary>
    public bool StrictKex { get; private set; }

    /// <summary>Number of completed key exchanges, the first included.</summary>
    public int KeyExchangeCount { get; private set; }

    /// <summary>The server's host key as presented in the last key exchange (client role).</summary>
    public SshPublicKey? ServerHostKey { get; private set; }

    /// <summary>Client role: the server's <c>server-sig-algs</c> from EXT_INFO, or null when it sent none.</summary>
    public IReadOnlyList<string>? ServerSignatureAlgorithms { get; private set; }

    /// <summary>Server role: the client offered ext-info-c.</summary>
    public bool PeerWantsExtInfo { get; private set; }

    public SshTransportSettings Settings => _settings;

    /// <summary>Server role: exchanges versions and completes the first key exchange.</summary>
    public static async Task<SshTransport> AcceptAsync(Stream stream, IReadOnlyList<SshPrivateKey> hostKeys,
        SshTransportSettings? settings, ILogger? logger, CancellationToken cancellationToken)
    {
        var transport = CreateServer(stream, hostKeys, settings, logger);
        await transport.HandshakeAsync(cancellationToken).ConfigureAwait(false);
        return transport;
    }

    /// <summary>
    /// Server role, in two steps: the caller holds the transport while the handshake runs, so that a protocol error or
    /// the login grace time during the first key exchange can still be answered with a DISCONNECT.
    /// </summary>
    internal static SshTransport CreateServer(Stream stream, IReadOnlyList<SshPrivateKey> hostKeys, SshTransportSettings? settings, ILogger? logger)
    {
        if (hostKeys.Count == 0) throw new ArgumentException("at least one host key is required", nameof(hostKeys));
        return new SshTransport(stream, true, settings ?? new SshTransportSettings(), hostKeys, null, logger);
    }

    /// <summary>Client role: exchanges versions and completes the first key exchange, verifying the host key.</summary>
    public static async Task<SshTransport> ConnectAsync(Stream stream, HostKeyVerifier verifier,
        SshTransportSettings? settings, ILogger? logger, CancellationToken cancellationToken)
    {
        var transport = new SshTransport(stream, false, settings ?? new SshTransportSettings(), [], verifier, logger);
        await transport.HandshakeAsync(cancellationToken).ConfigureAwait(false);
        return transport;
    }

    /// <summary>Exchanges versions and completes the first key exchange.</summary>
    internal async Task HandshakeAsync(CancellationToken cancellationToken)
    {
        try
        {
            await VersionExchange.SendAsync(_stream, LocalVersion, cancellationToken).ConfigureAwait(false);
            var (version, leftover) = await VersionExchange.ReceiveAsync(_stream, allowPrecedingLines: !IsServer, cancellationToken).ConfigureAwait(false);
            RemoteVersion = version;
            _reader = new PacketReader(_stream, leftover);
            _writer = new PacketWriter(_stream);
            await _writeLock.WaitAsync(cancellationToken).ConfigureAwait(false);
            try
            {
                await SendKexInitLockedAsync(cancellationToken).ConfigureAwait(false);
            }
            finally
            {
                _writeLock.Release();
            }
            while (!_firstKexDone)
            {
                var packet = await ReceiveCoreAsync(cancellationToken).ConfigureAwait(false);
                if (packet is not null)
                    throw new SshProtocolException(DisconnectReason.ProtocolError, "unexpected message before the first key exchange completed");
            }
        }
        catch
        {
            _clientKex?.Dispose();
            throw;
        }
    }

    /// <summary>Receives the next message for the layers above; transport messages are handled on the way.</summary>
    /// <remarks>Pooled state machines: this chain suspends on nearly every packet of an interactive session.</remarks>
    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))]
    public async ValueTask<IncomingPacket> ReceiveAsync(CancellationToken cancellationToken)
    {
        while (true)
        {
            var packet = await ReceiveCoreAsync(cancellationToken).ConfigureAwait(false);
            if (packet is { } p) return p;
        }
    }

    /// <summary>Reads one packet; returns null when the transport consumed it.</summary>
    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))]
    private async ValueTask<IncomingPacket?> ReceiveCoreAsync(CancellationToken cancellationToken)
    {
        var reader = _reader ?? throw new InvalidOperationException("handshake not done");
        var (payload, seq) = await reader.ReadPacketAsync(cancellationToken).ConfigureAwait(false);
        var message = (MessageNumber)payload.Span[0];
        bool initialKex = !_firstKexDone;
        if (initialKex && _remoteKexInit is null && KeyExchangeCount == 0 && message != MessageNumber.KexInit)
        {
            // Before the peer's first KEXINIT nothing else is acceptable: this also closes the Terrapin prefix gap.
            throw new SshProtocolException(DisconnectReason.ProtocolError, "first message was not KEXINIT");
        }
        switch (message)
        {
            case MessageNumber.Disconnect:
                throw ReadDisconnect(payload.Span);
            case MessageNumber.Ignore:
            case MessageNumber.Debug:
            case MessageNumber.Unimplemented:
                if (initialKex && StrictKex)
                    throw new SshProtocolException(DisconnectReason.ProtocolError, $"message {(byte)message} not allowed during strict key exchange");
                if (message == MessageNumber.Unimplemented) LogPeerUnimplemented(payload.Span);
                return null;
            case MessageNumber.KexInit:
                await OnKexInitAsync(payload, cancellationToken).ConfigureAwait(false);
                return null;
            case MessageNumber.NewKeys:
                OnNewKeys(payload.Span);
                return null;
            case >= (MessageNumber)30 and <= (MessageNumber)49:
                await OnKexMethodMessageAsync(payload, cancellationToken).ConfigureAwait(false);
                return null;
            case MessageNumber.ExtInfo when !IsServer:
                OnExtInfo(payload.Span);
                return null;
        }
        if (_remoteKexInit is not null || initialKex)
            throw new SshProtocolException(DisconnectReason.ProtocolError, $"message {(byte)message} during key exchange");
        if (NeedsRekey(reader.BytesSinceRekey))
            await StartRekeyAsync(cancellationToken).ConfigureAwait(false);
        return new IncomingPacket(payload, seq);
    }

    /// <summary>Sends a message built with <see cref="SshWriter.ForPacket"/>; during a key exchange it is held until new keys are in force.</summary>
    public async ValueTask SendAsync(SshWriter message, CancellationToken cancellationToken)
    {
        var writer = _writer ?? throw new InvalidOperationException("handshake not done");
        while (true)
        {
            Task wait;
            await _writeLock.WaitAsync(cancellationToken).ConfigureAwait(false);
            try
            {
                ThrowIfClosed();
                if (!_kexInProgress && NeedsRekey(writer.BytesSinceRekey))
                    await SendKexInitLockedAsync(cancellationToken).ConfigureAwait(false);
                if (!_kexInProgress)
                {
                    await writer.WritePacketAsync(message, cancellationToken).ConfigureAwait(false);
                    return;
                }
                if (_heldBytes + message.Length <= _settings.MaxQueuedBytesDuringKex || _heldMessages.Count == 0)
                {
                    _heldMessages.Enqueue(message.WrittenSpan.ToArray());
                    _heldBytes += message.Length;
                    return;
                }
                wait = _kexDone.Task;
            }
            finally
            {
                _writeLock.Release();
            }
            await wait.WaitAsync(cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>Sends SSH_MSG_UNIMPLEMENTED for a packet the layers above do not know (RFC 4253 §11.4).</summary>
    public async ValueTask SendUnimplementedAsync(uint sequenceNumber, CancellationToken cancellationToken)
    {
        using var message = SshWriter.ForPacket(MessageNumber.Unimplemented, 8);
        message.WriteUInt32(sequenceNumber);
        await SendAsync(message, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Sends SSH_MSG_DISCONNECT (even during a key exchange) and closes the stream. Never throws.</summary>
    public async ValueTask DisconnectAsync(DisconnectReason reason, string description, CancellationToken cancellationToken = default)
    {
        if (_writer is not null && !_closed)
        {
            try
            {
                using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
                timeout.CancelAfter(TimeSpan.FromSeconds(2));
                using var message = SshWriter.ForPacket(MessageNumber.Disconnect, 64 + description.Length);
                message.WriteUInt32((uint)reason);
                message.WriteString(description);
                message.WriteString("");
                await SendTransportMessageAsync(message, timeout.Token).ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is IOException or OperationCanceledException or ObjectDisposedException or SshConnectionLostException or InvalidOperationException)
            {
                // The peer may already be gone; the disconnect is best effort.
            }
        }
        Close();
    }

    /// <summary>Starts a key exchange now (both roles may); returns once our KEXINIT is sent.</summary>
    public async ValueTask StartRekeyAsync(CancellationToken cancellationToken)
    {
        await _writeLock.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            if (!_kexInProgress) await SendKexInitLockedAsync(cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            _writeLock.Release();
        }
    }

    private bool NeedsRekey(long bytes) =>
        _firstKexDone && (bytes >= _settings.RekeyBytes || Stopwatch.GetElapsedTime(_lastKexTimestamp) >= _settings.RekeyInterval);

    private void Close()
    {
        if (_closed) return;
        _closed = true;
        var kexDone = _kexDone;
        kexDone.TrySetException(new SshConnectionLostException("connection closed"));
        // Writers waiting on it see the exception; when none waits it must not surface as an unobserved task exception.
        _ = kexDone.Task.Exception;
        try
        {
            _stream.Dispose();
        }
        catch (IOException)
        {
        }
    }

    private void ThrowIfClosed()
    {
        if (_closed) throw new SshConnectionLostException("connection closed");
    }

    private static SshConnectionLostException ReadDisconnect(ReadOnlySpan<byte> payload)
    {
        var reader = new SshReader(payload);
        reader.ReadMessageNumber();
        var reason = (DisconnectReason)reader.ReadUInt32();
        string description;
        try
        {
            description = reader.ReadString(1024);
        }
        catch (SshProtocolException)
        {
            description = "(unreadable description)";
        }
        return new SshConnectionLostException(reason, description);
    }

    private void LogPeerUnimplemented(ReadOnlySpan<byte> payload)
    {
        _peerUnimplementedCount++;
        var reader = new SshReader(payload);
        reader.ReadMessageNumber();
        _logger.LogDebug("peer does not implement our packet {Sequence}", reader.ReadUInt32());
    }

    private void OnExtInfo(ReadOnlySpan<byte> payload)
    {
        var reader = new SshReader(payload);
        reader.ReadMessageNumber();
        uint count = reader.ReadUInt32();
        if (count > 64) throw SshProtocolException.Malformed("EXT_INFO: too many extensions");
        for (uint i = 0; i < count; i++)
        {
            string name = reader.ReadString();
            var value = reader.ReadBinary(SshLimits.MaxNameListLength);
            if (name == "server-sig-algs")
            {
                ServerSignatureAlgorithms = System.Text.Encoding.ASCII.GetString(value).Split(',', StringSplitOptions.RemoveEmptyEntries);
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        Close();
        _reader?.Dispose();
        await _writeLock.WaitAsync().ConfigureAwait(false);
        try
        {
            _writer?.Dispose();
            _clientKex?.Dispose();
            _pendingReceiveCipher?.Dispose();
        }
        finally
        {
            _writeLock.Release();
        }
    }

    private static TaskCompletionSource NewCompletion() => new(TaskCreationOptions.RunContinuationsAsynchronously);
}
