using System.Security.Cryptography;
using System.Text;
using Fumidai.Gateway.Bastion.Transfers;
using Fumidai.Gateway.Policy;

namespace Fumidai.Gateway.Tests.Bastion;

/// <summary>The legacy scp observer reports files sent in either direction and marks the protocol lines, never the file bytes.</summary>
public sealed class ScpObserverTests
{
    private readonly List<string> _markers = [];

    private ScpObserver Observer(string command, List<FileTransfer> reports) => new(ScpCommandLine.Parse(command), reports.Add, _markers.Add);
    [Fact]
    public void Upload_to_a_directory_is_reported_with_path_and_hash()
    {
        var reports = new List<FileTransfer>();
        var observer = Observer("scp -t /tmp/", reports);
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
        var observer = Observer("scp -t /tmp/new.bin", reports);
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
        var observer = Observer("scp -f /etc/hosts", reports);
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
        var observer = Observer("scp -t /tmp", reports);
        observer.FromClient(new byte[100_000]);
        observer.FromClient(Encoding.ASCII.GetBytes("C0644 1 x\nA\0"));
        Assert.Empty(reports);
    }

    [Fact]
    public void Protocol_lines_and_replies_are_marked_and_file_bytes_are_not()
    {
        var reports = new List<FileTransfer>();
        var observer = Observer("scp -r -p -t /srv", reports);
        observer.FromServer([0]);
        observer.FromClient(Encoding.ASCII.GetBytes("D0755 0 in\n"));
        observer.FromServer([0]);
        observer.FromClient(Encoding.ASCII.GetBytes("T1700000000 0 1700000000 0\n"));
        observer.FromServer([0]);
        observer.FromClient(Encoding.ASCII.GetBytes("C0600 11 secret.txt\nSECRET-BYTE\0"));
        observer.FromServer([0, 0]);
        observer.FromClient(Encoding.ASCII.GetBytes("C0644 2 locked\n"));
        observer.FromServer(Encoding.ASCII.GetBytes("\u0001scp: /srv/in/locked: Permission denied\n"));
        observer.FromClient(Encoding.ASCII.GetBytes("E\n"));
        observer.FromServer([0]);
        observer.Complete();

        Assert.Equal(
        [
            "scp from operator: D0755 0 in",
            "scp from operator: T1700000000 0 1700000000 0",
            "scp from operator: C0600 11 secret.txt",
            "scp from operator: C0644 2 locked",
            "scp warning from target: scp: /srv/in/locked: Permission denied",
            "scp from operator: E",
            "scp summary: 2 file(s), 6 acknowledgement(s), 1 warning(s), 0 error(s)",
        ], _markers);
        Assert.DoesNotContain(_markers, m => m.Contains("SECRET-BYTE"));
        Assert.False(observer.Lost);
        Assert.Equal("/srv/in/secret.txt", reports[0].Path);
        Assert.Equal(11, reports[0].Bytes);
        // The target refused the second file, so its bytes never came: reported as refused, and E is not taken for content.
        Assert.Equal(("/srv/in/locked", 0L), (reports[1].Path, reports[1].Bytes));
        Assert.Contains("refused: scp: /srv/in/locked: Permission denied", reports[1].Detail);
        Assert.Equal(2, reports.Count);
    }

    [Fact]
    public void A_transfer_cut_short_is_reported_as_incomplete_when_the_session_ends()
    {
        var reports = new List<FileTransfer>();
        var observer = Observer("scp -t /tmp/", reports);
        observer.FromServer([0]);
        observer.FromClient(Encoding.ASCII.GetBytes("C0644 10 big.bin\nabc"));
        observer.Complete();
        var report = Assert.Single(reports);
        Assert.Equal(("/tmp/big.bin", 3L), (report.Path, report.Bytes));
        Assert.Contains("incomplete: 3 of 10 bytes", report.Detail);
    }

    [Fact]
    public void A_download_marks_the_targets_lines_and_the_senders_error_after_the_data()
    {
        var reports = new List<FileTransfer>();
        var observer = Observer("scp -f /var/log/app.log", reports);
        observer.FromClient([0]);
        observer.FromServer(Encoding.ASCII.GetBytes("C0644 4 app.log\nabcd"));
        observer.FromClient([0]);
        observer.FromServer(Encoding.ASCII.GetBytes("\u0001scp: /var/log/app.log: Input/output error\n"));
        observer.FromServer(Encoding.ASCII.GetBytes("\u0002scp: giving up\n"));
        observer.Complete();

        Assert.Equal(
        [
            "scp from target: C0644 4 app.log",
            "scp warning from target: scp: /var/log/app.log: Input/output error",
            "scp error from target: scp: giving up",
            "scp summary: 1 file(s), 2 acknowledgement(s), 1 warning(s), 1 error(s)",
        ], _markers);
        var report = Assert.Single(reports);
        Assert.Equal(("download", "/var/log/app.log", 4L), (report.Operation, report.Path, report.Bytes));
        Assert.Contains("sender reported an error", report.Detail);
    }

    [Theory]
    [InlineData(true, "uid=0(root) gid=0(root)\n")]
    [InlineData(false, "uid=0(root) gid=0(root)\n")]
    [InlineData(true, "C0644 notanumber x\n")]
    public void A_sender_stream_that_is_not_scp_is_lost_and_says_so(bool upload, string text)
    {
        var reports = new List<FileTransfer>();
        var observer = Observer(upload ? "scp -t /tmp" : "scp -f /tmp/x", reports);
        if (upload) observer.FromClient(Encoding.ASCII.GetBytes(text));
        else observer.FromServer(Encoding.ASCII.GetBytes(text));
        Assert.True(observer.Lost);
        Assert.Contains(_markers, m => m.Contains("no longer follows the scp protocol"));
    }

    [Fact]
    public void A_reply_stream_that_is_not_scp_is_lost()
    {
        var observer = Observer("scp -t /tmp", []);
        observer.FromServer(Encoding.ASCII.GetBytes("$ "));
        Assert.True(observer.Lost);
    }
}
