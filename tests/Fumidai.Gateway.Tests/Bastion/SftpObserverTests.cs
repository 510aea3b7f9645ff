using System.Security.Cryptography;
using Fumidai.Gateway.Bastion.Transfers;
using Fumidai.Ssh.Wire;

namespace Fumidai.Gateway.Tests.Bastion;

/// <summary>The SFTP observer reports each file with the right path, size and hash, however the stream is chunked.</summary>
public sealed class SftpObserverTests
{
    private static byte[] Packet(byte type, uint id, Action<SshWriter> body)
    {
        using var inner = new SshWriter();
        inner.WriteByte(type);
        inner.WriteUInt32(id);
        body(inner);
        using var framed = new SshWriter();
        framed.WriteBinary(inner.WrittenSpan);
        return framed.WrittenSpan.ToArray();
    }

    private static void FeedChunked(Action<byte[]> feed, byte[] data, Random random)
    {
        for (int i = 0; i < data.Length;)
        {
            int n = Math.Min(random.Next(1, 40), data.Length - i);
            feed(data[i..(i + n)]);
            i += n;
        }
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    public void Upload_and_download_are_reported_with_sha256(int seed)
    {
        var random = new Random(seed);
        var reports = new List<FileTransfer>();
        var observer = new SftpObserver(reports.Add);
        var content = RandomNumberGenerator.GetBytes(100_000);
        byte[] handle = [1, 2, 3, 4];
        void Client(byte[] p) => FeedChunked(b => observer.FromClient(b), p, random);
        void Server(byte[] p) => FeedChunked(b => observer.FromServer(b), p, random);

        // Upload: OPEN (write) → HANDLE → WRITE × n → CLOSE.
        Client(Packet(3, 1, w => { w.WriteString("/tmp/up.bin"); w.WriteUInt32(0x02 | 0x08); w.WriteUInt32(0); }));
        Server(Packet(102, 1, w => w.WriteBinary(handle)));
        for (int offset = 0, id = 2; offset < content.Length; offset += 32768, id++)
        {
            int n = Math.Min(32768, content.Length - offset);
            int o = offset;
            Client(Packet(6, (uint)id, w => { w.WriteBinary(handle); w.WriteUInt64((ulong)o); w.WriteBinary(content.AsSpan(o, n)); }));
        }
        Client(Packet(4, 99, w => w.WriteBinary(handle)));

        // Download: OPEN (read) → HANDLE → READ/DATA pairs → CLOSE.
        byte[] handle2 = [9, 9];
        Client(Packet(3, 100, w => { w.WriteString("/etc/down.bin"); w.WriteUInt32(0x01); w.WriteUInt32(0); }));
        Server(Packet(102, 100, w => w.WriteBinary(handle2)));
        for (int offset = 0, id = 101; offset < content.Length; offset += 32768, id++)
        {
            int n = Math.Min(32768, content.Length - offset);
            int o = offset;
            Client(Packet(5, (uint)id, w => { w.WriteBinary(handle2); w.WriteUInt64((ulong)o); w.WriteUInt32(32768); }));
            Server(Packet(103, (uint)id, w => w.WriteBinary(content.AsSpan(o, n))));
        }
        Client(Packet(4, 200, w => w.WriteBinary(handle2)));

        string expected = Convert.ToHexStringLower(SHA256.HashData(content));
        Assert.Equal(2, reports.Count);
        Assert.Equal(new FileTransfer("upload", "/tmp/up.bin", content.Length, expected), reports[0]);
        Assert.Equal(new FileTransfer("download", "/etc/down.bin", content.Length, expected), reports[1]);
    }

    [Fact]
    public void Non_sequential_writes_void_the_hash_but_keep_the_count()
    {
        var reports = new List<FileTransfer>();
        var observer = new SftpObserver(reports.Add);
        byte[] handle = [7];
        observer.FromClient(Packet(3, 1, w => { w.WriteString("f"); w.WriteUInt32(0x02); w.WriteUInt32(0); }));
        observer.FromServer(Packet(102, 1, w => w.WriteBinary(handle)));
        observer.FromClient(Packet(6, 2, w => { w.WriteBinary(handle); w.WriteUInt64(100); w.WriteBinary(new byte[10]); }));
        observer.FromClient(Packet(4, 3, w => w.WriteBinary(handle)));
        var report = Assert.Single(reports);
        Assert.Equal(10, report.Bytes);
        Assert.Null(report.Sha256);
    }

    [Fact]
    public void Remove_and_rename_are_reported_after_their_status()
    {
        var reports = new List<FileTransfer>();
        var observer = new SftpObserver(reports.Add);
        observer.FromClient(Packet(13, 5, w => w.WriteString("/tmp/gone")));
        observer.FromClient(Packet(18, 6, w => { w.WriteString("/tmp/a"); w.WriteString("/tmp/b"); }));
        Assert.Empty(reports);
        observer.FromServer(Packet(101, 5, w => { w.WriteUInt32(0); w.WriteString(""); w.WriteString(""); }));
        observer.FromServer(Packet(101, 6, w => { w.WriteUInt32(3); w.WriteString("denied"); w.WriteString(""); }));
        Assert.Equal("remove", reports[0].Operation);
        Assert.Equal("/tmp/gone", reports[0].Path);
        Assert.Equal("rename", reports[1].Operation);
        Assert.Contains("failed (status 3)", reports[1].Detail);
    }

    [Fact]
    public void Garbage_never_throws()
    {
        var observer = new SftpObserver(_ => { });
        var random = new Random(42);
        for (int i = 0; i < 2000; i++)
        {
            var junk = new byte[random.Next(0, 300)];
            random.NextBytes(junk);
            observer.FromClient(junk);
            observer.FromServer(junk);
        }
    }
}
