using System.Security.Cryptography;
using System.Text;
using Fumidai.Gateway.Bastion.Transfers;

namespace Fumidai.Gateway.Tests.Bastion;

/// <summary>The legacy scp observer reports files sent in either direction.</summary>
public sealed class ScpObserverTests
{
    [Fact]
    public void Upload_to_a_directory_is_reported_with_path_and_hash()
    {
        var reports = new List<FileTransfer>();
        var observer = new ScpObserver("scp -t /tmp/", reports.Add);
        var content = RandomNumberGenerator.GetBytes(5000);
        var stream = new List<byte>();
        stream.AddRange(Encoding.ASCII.GetBytes("T1700000000 0 1700000000 0\n"));
        stream.AddRange(Encoding.ASCII.GetBytes($"C0644 {content.Length} data.bin\n"));
        stream.AddRange(content);
        stream.Add(0);
        var bytes = stream.ToArray();
        for (int i = 0; i < bytes.Length; i += 7) observer.FromClient(bytes.AsSpan(i, Math.Min(7, bytes.Length - i)));
        observer.FromServer([0, 0, 0]);
        var report = Assert.Single(reports);
        Assert.Equal("upload", report.Operation);
        Assert.Equal("/tmp/data.bin", report.Path);
        Assert.Equal(content.Length, report.Bytes);
        Assert.Equal(Convert.ToHexStringLower(SHA256.HashData(content)), report.Sha256);
    }

    [Fact]
    public void Upload_to_a_file_path_is_reported_with_that_path_and_the_name_sent()
    {
        var reports = new List<FileTransfer>();
        var observer = new ScpObserver("scp -t /tmp/new.bin", reports.Add);
        observer.FromClient(Encoding.ASCII.GetBytes("C0644 3 local.bin\nabc\0"));
        var report = Assert.Single(reports);
        Assert.Equal("/tmp/new.bin", report.Path);
        Assert.Equal(3, report.Bytes);
        Assert.Contains("sent as local.bin", report.Detail);
    }

    [Fact]
    public void Download_is_parsed_from_the_server_side()
    {
        var reports = new List<FileTransfer>();
        var observer = new ScpObserver("scp -f /etc/hosts", reports.Add);
        var content = Encoding.ASCII.GetBytes("127.0.0.1 localhost\n");
        observer.FromServer(Encoding.ASCII.GetBytes($"C0644 {content.Length} hosts\n"));
        observer.FromServer(content);
        observer.FromServer([0]);
        var report = Assert.Single(reports);
        Assert.Equal(("download", "/etc/hosts"), (report.Operation, report.Path));
        Assert.Equal(Convert.ToHexStringLower(SHA256.HashData(content)), report.Sha256);
    }

    [Fact]
    public void A_runaway_control_line_stops_parsing_without_throwing()
    {
        var reports = new List<FileTransfer>();
        var observer = new ScpObserver("scp -t /tmp", reports.Add);
        observer.FromClient(new byte[100_000]);
        observer.FromClient(Encoding.ASCII.GetBytes("C0644 1 x\nA\0"));
        Assert.Empty(reports);
    }
}
