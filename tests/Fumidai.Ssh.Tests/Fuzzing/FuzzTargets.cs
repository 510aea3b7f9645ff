using System.Text;
using Fumidai.Ssh.Connection;
using Fumidai.Ssh.Connection.Requests;
using Fumidai.Ssh.Framing;
using Fumidai.Ssh.Kex;
using Fumidai.Ssh.Keys;
using Fumidai.Ssh.Tests.Framing;
using Fumidai.Ssh.Transport;
using Fumidai.Ssh.Wire;

namespace Fumidai.Ssh.Tests.Fuzzing;

/// <summary>The packet and message decoders a peer can reach, each with valid seeds built by our own encoders.</summary>
public static class FuzzTargets
{
    /// <summary>Cipher/MAC pairs for the framing targets: each AEAD construction and both CTR modes (ETM and encrypt-and-MAC).</summary>
    private static readonly (string Cipher, string? Mac)[] CipherPairs =
    [
        ("chacha20-poly1305@openssh.com", null),
        ("aes256-gcm@openssh.com", null),
        ("aes128-ctr", "hmac-sha2-256-etm@openssh.com"),
        ("aes256-ctr", "hmac-sha2-512"),
    ];

    private static readonly Lazy<IReadOnlyList<FuzzTarget>> AllTargets = new(Create);

    public static IReadOnlyList<FuzzTarget> All => AllTargets.Value;

    public static FuzzTarget Get(string name) => All.Single(t => t.Name == name);

    public static TheoryData<string> Names()
    {
        var data = new TheoryData<string>();
        foreach (var target in All) data.Add(target.Name);
        return data;
    }

    private static bool ProtocolOnly(Exception e) => e is SshProtocolException;

    /// <summary>Stream decoders also see the end of the input, reported as a lost connection.</summary>
    private static bool ProtocolOrEof(Exception e) => e is SshProtocolException or SshConnectionLostException;

    private static List<FuzzTarget> Create()
    {
        var targets = new List<FuzzTarget>
        {
            new("packet-none", PacketSeeds(NoneCipher.Instance), input => ReadPackets(input, () => NoneCipher.Instance), ProtocolOrEof),
        };
        foreach (var (cipher, mac) in CipherPairs)
        {
            string name = "packet-" + cipher + (mac is null ? "" : "+" + mac);
            targets.Add(new(name, SealedPacketSeeds(cipher, mac), input => ReadPackets(input, () => Opener(cipher, mac)), ProtocolOrEof));
        }
        targets.Add(new("kexinit", KexInitSeeds(), input =>
        {
            KexInitMessage.Decode(input);
            return ValueTask.CompletedTask;
        }, ProtocolOnly));
        targets.Add(new("channel-request", ChannelRequestSeeds(), input =>
        {
            var reader = new SshReader(input);
            string type = reader.ReadString();
            bool wantReply = reader.ReadBoolean();
            ChannelRequestCodec.Decode(type, wantReply, ref reader);
            return ValueTask.CompletedTask;
        }, ProtocolOnly));
        targets.Add(new("terminal-modes", TerminalModeSeeds(), input =>
        {
            var modes = TerminalModes.Decode(input);
            _ = modes[TerminalModes.Opcode.ECHO];
            return ValueTask.CompletedTask;
        }, ProtocolOnly));
        targets.Add(new("public-key-blob", PublicKeySeeds(), input =>
        {
            var key = SshPublicKey.FromBlob(input);
            _ = key.Fingerprint;
            _ = key.ToString();
            return ValueTask.CompletedTask;
        }, e => e is SshProtocolException or NotSupportedException));
        foreach (var key in SignatureKeys.Value)
        {
            // The signature blob is the other half of a pre-authentication publickey request.
            byte[] data = Encoding.ASCII.GetBytes("session id and request");
            targets.Add(new("signature-" + key.Name, key.Signatures, input =>
            {
                key.PublicKey.Verify(data, input, null);
                return ValueTask.CompletedTask;
            }, ProtocolOnly));
        }
        targets.Add(new("version-server", VersionSeeds(banners: false), async input =>
            await VersionExchange.ReceiveAsync(new MemoryStream(input), allowPrecedingLines: false, CancellationToken.None), ProtocolOrEof));
        targets.Add(new("version-client", VersionSeeds(banners: true), async input =>
            await VersionExchange.ReceiveAsync(new MemoryStream(input), allowPrecedingLines: true, CancellationToken.None), ProtocolOrEof));
        return targets;
    }

    // ---- framing ----

    private static async ValueTask ReadPackets(byte[] input, Func<PacketCipher> opener)
    {
        using var reader = new PacketReader(new MemoryStream(input)) { Cipher = opener() };
        // Every seed holds at most a few packets; the bound only guards against a reader that stops advancing.
        for (int i = 0; i < 64; i++) await reader.ReadPacketAsync(CancellationToken.None);
    }

    private static PacketCipher Opener(string cipher, string? mac)
    {
        var (sealer, opener) = TestPackets.CreatePair(cipher, mac);
        sealer.Dispose();
        return opener;
    }

    private static byte[][] SamplePayloads() =>
    [
        KexInitSeeds()[0],
        [(byte)MessageNumber.NewKeys],
        [(byte)MessageNumber.Ignore, 0, 0, 0, 3, 1, 2, 3],
        ChannelData(0, new byte[200]),
        ChannelData(7, Encoding.ASCII.GetBytes("ls -l\n")),
    ];

    private static byte[] ChannelData(uint channel, byte[] data)
    {
        using var writer = new SshWriter();
        writer.WriteMessageNumber(MessageNumber.ChannelData);
        writer.WriteUInt32(channel);
        writer.WriteBinary(data);
        return writer.WrittenSpan.ToArray();
    }

    /// <summary>Plain packets, alone and back to back.</summary>
    private static List<byte[]> PacketSeeds(PacketCipher cipher)
    {
        var random = new Random(1);
        var payloads = SamplePayloads();
        var seeds = new List<byte[]>();
        foreach (var payload in payloads) seeds.Add(TestPackets.Build(cipher, payload, random));
        seeds.Add(payloads.SelectMany(p => TestPackets.Build(cipher, p, random)).ToArray());
        return seeds;
    }

    /// <summary>Packets sealed with the keys <see cref="Opener"/> uses, with sequence numbers from 0, so unmutated seeds open.</summary>
    private static List<byte[]> SealedPacketSeeds(string cipher, string? mac)
    {
        var random = new Random(1);
        var payloads = SamplePayloads();
        var seeds = new List<byte[]>();
        for (int count = 1; count <= 3; count++)
        {
            var (sealer, _) = TestPackets.CreatePair(cipher, mac);
            using (sealer)
            {
                var stream = new MemoryStream();
                for (int i = 0; i < count; i++)
                {
                    var packet = TestPackets.Build(sealer, payloads[(count + i) % payloads.Length], random);
                    var tag = new byte[sealer.TagLength];
                    sealer.Seal((uint)i, packet, tag);
                    stream.Write(packet);
                    stream.Write(tag);
                }
                seeds.Add(stream.ToArray());
            }
        }
        return seeds;
    }

    // ---- messages ----

    private static List<byte[]> KexInitSeeds()
    {
        var ours = new KexInitMessage(
            [.. KeyExchangeMethods.AllNames, AlgorithmNegotiation.StrictKexServer], [.. SshTransportSettings.AllHostKeyAlgorithms],
            [.. CipherAlgorithms.AllNames], [.. CipherAlgorithms.AllNames], [.. MacAlgorithms.AllNames], [.. MacAlgorithms.AllNames],
            ["none"], ["none"], false);
        // OpenSSH 9.2's client offer, including names we do not implement.
        var openssh = new KexInitMessage(
            ["sntrup761x25519-sha512@openssh.com", "curve25519-sha256", "curve25519-sha256@libssh.org", "ecdh-sha2-nistp256",
                "diffie-hellman-group16-sha512", "ext-info-c", "kex-strict-c-v00@openssh.com"],
            ["ssh-ed25519-cert-v01@openssh.com", "ssh-ed25519", "rsa-sha2-512", "rsa-sha2-256"],
            ["chacha20-poly1305@openssh.com", "aes128-ctr", "aes256-gcm@openssh.com"], ["chacha20-poly1305@openssh.com", "aes128-ctr"],
            ["umac-64-etm@openssh.com", "hmac-sha2-256-etm@openssh.com"], ["hmac-sha2-256-etm@openssh.com"],
            ["none", "zlib@openssh.com"], ["none"], true);
        return [ours.Encode(), openssh.Encode()];
    }

    private static List<byte[]> ChannelRequestSeeds()
    {
        ChannelRequest[] requests =
        [
            new PtyRequest(true, "xterm-256color", 80, 24, 640, 480, TerminalModes.Decode(TerminalModeSeeds()[0])),
            new EnvRequest(false, "LANG", "en_US.UTF-8"),
            new ShellRequest(true),
            new ExecRequest(true, "echo hello"),
            new SubsystemRequest(true, "sftp"),
            new WindowChangeRequest(120, 40, 0, 0),
            new SignalRequest("INT"),
            new BreakRequest(true, 500),
            new ExitStatusRequest(3),
            new ExitSignalRequest("KILL", true, "killed"),
            new EndOfWriteRequest(),
            new ForwardingChannelRequest("auth-agent-req@openssh.com", true),
        ];
        var seeds = new List<byte[]>();
        foreach (var request in requests)
        {
            using var writer = new SshWriter();
            writer.WriteString(request.Type);
            writer.WriteBoolean(request.WantReply);
            ChannelRequestCodec.EncodeData(request, writer);
            seeds.Add(writer.WrittenSpan.ToArray());
        }
        return seeds;
    }

    private static List<byte[]> TerminalModeSeeds() =>
    [
        // VINTR=3, VERASE=127, ISIG=1, ICANON=1, ECHO=1, ISPEED=OSPEED=38400, TTY_OP_END.
        [1, 0, 0, 0, 3, 3, 0, 0, 0, 127, 50, 0, 0, 0, 1, 51, 0, 0, 0, 1, 53, 0, 0, 0, 1, 128, 0, 0, 0x96, 0, 129, 0, 0, 0x96, 0, 0],
        [0],
        [],
    ];

    // ---- keys ----

    /// <summary>Public keys made by Debian's ssh-keygen for this corpus (no private half is kept anywhere).</summary>
    private static readonly string[] OpenSshPublicKeys =
    [
        "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIOPHl1ZFfF4TbfSi/Fr88hnxumeK5NEKWljWIx8f7PR5",
        "ecdsa-sha2-nistp256 AAAAE2VjZHNhLXNoYTItbmlzdHAyNTYAAAAIbmlzdHAyNTYAAABBBF18Yqx001Sq/7gQQrHrFMtK8K92EhfB6Nfh2fbZVUB0t8hMH9dQjNuGYtez9FGHCfVeB/HykZxbZ28YMSEL65s=",
        "ecdsa-sha2-nistp384 AAAAE2VjZHNhLXNoYTItbmlzdHAzODQAAAAIbmlzdHAzODQAAABhBPhb9NrpOGx/UuL4fJhRhq+8Ys0g9c1RRWOUnE2sLdvD2+gyEXpYnC44zUB47cKdL1vCHAbMD5eWExyrGod5Rz3zxfOeXdipEpl3yeCAcQAqXSXb1Gp1SQJdi/ClbYLsRg==",
        "ecdsa-sha2-nistp521 AAAAE2VjZHNhLXNoYTItbmlzdHA1MjEAAAAIbmlzdHA1MjEAAACFBAGSK0d759COVCTLaltYfvc3ChLZQcMs3cMxObN2GLGbkpGa+RSoA31okYfLbQcxHgBbZ+8rWoiQGxPVa9OEMaY3TgDfnn+IyQI37TNHrPuMM+0vITVKRj8Fdgs54DduHrybfDf0volqG3IUPJ/ENu9HsVghjPdaHkpiFWv+fZB3ibFiLQ==",
        "ssh-rsa AAAAB3NzaC1yc2EAAAADAQABAAABAQCUUNjEDGsTflVN9ZpCZqc90x3aKS6CEDB9tchebOLInfj3yWC9oBoB3xlSL2c1zQUy7+WN5kfiwhkO5k0sCjulGfzpb+iF40Uf5rkccObK6MuJFyvMUgA/HLBqU9aQyzGx0xdqK4xr+UwWq0CZVbdF7LPmxjo/rPwhR2JihDyvb7h59Tuuh5AquZ+7Nza4uQDSjwftlk397RtcJZxuvYJRIssykIh9Md+yZdPS4Hsmj466iGRjFM2l/0YP3hLR6+mIsx+cyIAb6LWlRgGCyNhnAs36h7H3UtstQOGxNJd4w3tcyS+k0OibT2cIT8YLw4E7Bs0RQyZZ+HQXJgFib/lj",
    ];

    private static List<byte[]> PublicKeySeeds()
    {
        var seeds = OpenSshPublicKeys.Select(line => Convert.FromBase64String(line.Split(' ')[1])).ToList();
        var ed25519 = (Ed25519PublicKey)SshPublicKey.FromBlob(seeds[0]);
        var p256 = (EcdsaPublicKey)SshPublicKey.FromBlob(seeds[1]);
        seeds.Add(new SkEd25519PublicKey(ed25519.RawKey.Span, "ssh:").Blob.ToArray());
        seeds.Add(new SkEcdsaPublicKey(p256.Point.Span, "ssh:").Blob.ToArray());
        return seeds;
    }

    /// <summary>A key and valid signature blobs made with it; the fuzzer mutates the blobs.</summary>
    private sealed record SignatureKey(string Name, SshPublicKey PublicKey, IReadOnlyList<byte[]> Signatures);

    private static readonly Lazy<IReadOnlyList<SignatureKey>> SignatureKeys = new(() =>
    {
        byte[] data = Encoding.ASCII.GetBytes("session id and request");
        var keys = new List<SignatureKey>();
        foreach (var (name, type, bits) in new[] { ("ed25519", "ssh-ed25519", (int?)null), ("ecdsa-p256", "ecdsa-sha2-nistp256", null), ("rsa", "ssh-rsa", 2048) })
        {
            using var key = SshPrivateKey.Generate(type, bits);
            var signatures = key.SignatureAlgorithms.Select(a => key.Sign(a, data)).ToList();
            keys.Add(new SignatureKey(name, key.PublicKey, signatures));
        }
        // sk keys: the seed has the right shape (algorithm, signature, flags, counter); it need not verify.
        var ed = (Ed25519PublicKey)keys[0].PublicKey;
        using (var writer = new SshWriter())
        {
            writer.WriteString(SshKeyTypes.SkEd25519);
            writer.WriteBinary(new byte[64]);
            writer.WriteByte(1);
            writer.WriteUInt32(42);
            keys.Add(new SignatureKey("sk-ed25519", new SkEd25519PublicKey(ed.RawKey.Span, "ssh:"), [writer.WrittenSpan.ToArray()]));
        }
        return keys;
    });

    // ---- version exchange ----

    private static List<byte[]> VersionSeeds(bool banners)
    {
        var packet = TestPackets.Build(NoneCipher.Instance, KexInitSeeds()[1], new Random(1));
        byte[] Ascii(string text) => Encoding.ASCII.GetBytes(text);
        var seeds = new List<byte[]>
        {
            Ascii("SSH-2.0-OpenSSH_9.2p1 Debian-2+deb12u3\r\n").Concat(packet).ToArray(),
            Ascii("SSH-2.0-Fumidai_0.1\r\n"),
            Ascii("SSH-1.99-Old\n"),
        };
        if (banners) seeds.Add(Ascii("Welcome\r\nAuthorized use only\r\n\r\nSSH-2.0-OpenSSH_9.2\r\n").Concat(packet).ToArray());
        return seeds;
    }
}
