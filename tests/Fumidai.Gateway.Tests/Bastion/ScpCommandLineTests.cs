using Fumidai.Gateway.Policy;

namespace Fumidai.Gateway.Tests.Bastion;

/// <summary>
/// Only a real scp server invocation counts as scp; anything a shell would read as more than `scp FLAGS PATH` is an
/// ordinary exec. The positive cases are the remote commands Debian's OpenSSH 9.2 `scp -O` sends (captured with
/// `scp -S` pointing at a logging stand-in for ssh), plus the single-quoted form other scp clients send.
/// </summary>
public sealed class ScpCommandLineTests
{
    [Theory]
    // Captured from OpenSSH 9.2p1 scp -O.
    [InlineData("scp -t /tmp/", true, "/tmp/")]
    [InlineData("scp -t /tmp", true, "/tmp")]
    [InlineData("scp -r -t .", true, ".")]
    [InlineData("scp -d -t dest", true, "dest")]
    [InlineData("scp -v -t /tmp", true, "/tmp")]
    [InlineData("scp -p -t /srv/data.bin", true, "/srv/data.bin")]
    [InlineData("scp -f /etc/hosts", false, "/etc/hosts")]
    [InlineData("scp -v -r -p -f a", false, "a")]
    [InlineData("scp -f ~/f", false, "~/f")]
    [InlineData("scp -f .", false, ".")]
    [InlineData("scp -t -- -y", true, "-y")]
    [InlineData("scp -f -- -z", false, "-z")]
    [InlineData("scp -f /var/log/app-2024_01.log.1", false, "/var/log/app-2024_01.log.1")]
    [InlineData("scp -f /home/ren/résumé.txt", false, "/home/ren/résumé.txt")]
    // Single-quoted, with '\'' for a quote: how scp libraries quote the path.
    [InlineData("scp -t '/tmp/x y'", true, "/tmp/x y")]
    [InlineData("scp -t '/tmp/it'\\''s'", true, "/tmp/it's")]
    [InlineData("scp -f '*.txt'", false, "*.txt")]
    [InlineData("scp -pt /tmp", true, "/tmp")]
    public void Real_scp_server_invocations_are_scp(string command, bool upload, string path)
    {
        Assert.True(ScpCommandLine.TryParse(command, out var parsed), command);
        Assert.Equal(upload, parsed!.Upload);
        Assert.Equal(path, parsed.Path);
    }

    [Theory]
    // Command separators, pipes, background, redirection.
    [InlineData("scp ; id; echo X")]
    [InlineData("scp ;id")]
    [InlineData("scp -t /tmp; id")]
    [InlineData("scp -t /tmp;id")]
    [InlineData("scp -t /tmp && id")]
    [InlineData("scp -t /tmp || id")]
    [InlineData("scp -t /tmp & id")]
    [InlineData("scp -t /tmp&")]
    [InlineData("scp -t '/tmp' | sh")]
    [InlineData("scp -t /tmp|sh")]
    [InlineData("scp -t /tmp > /etc/passwd")]
    [InlineData("scp -t /tmp>x")]
    [InlineData("scp -f /etc/shadow < /dev/null")]
    [InlineData("scp -t /tmp\nid")]
    [InlineData("scp -t /tmp\rid")]
    [InlineData("scp -t /tmp\n")]
    [InlineData("scp -t /tmp\0id")]
    [InlineData("scp -t (id)")]
    [InlineData("scp -t /tmp #comment")]
    [InlineData("scp -t #")]
    // Substitutions and expansions.
    [InlineData("scp -t $(id)")]
    [InlineData("scp -t /tmp/$(id)")]
    [InlineData("scp -t `id`")]
    [InlineData("scp -t /tmp/`id`")]
    [InlineData("scp -t $HOME")]
    [InlineData("scp -t ${IFS}id")]
    [InlineData("scp -t ~/$(id)")]
    [InlineData("scp -f *.txt")]
    [InlineData("scp -f /etc/?asswd")]
    [InlineData("scp -f /etc/[ps]hadow")]
    [InlineData("scp -f /tmp/{a,b}")]
    [InlineData("scp -f a$b;c")]
    [InlineData("scp -f !!")]
    // Quoting other than plain single quotes, or single quotes a shell could read otherwise.
    [InlineData("scp -t \"/tmp\"")]
    [InlineData("scp -t \"$(id)\"")]
    [InlineData("scp -t /tmp\\;id")]
    [InlineData("scp -t 'unterminated")]
    [InlineData("scp -t 'a\\'';id;'")]
    [InlineData("scp -t 'a\nb'")]
    // Quotes are no quotes to every shell a target may run (cmd.exe on Windows): no metacharacter inside them either.
    [InlineData("scp -f '/tmp/a;b'")]
    [InlineData("scp -f '/tmp/a&calc'")]
    [InlineData("scp -f '/tmp/a|b'")]
    [InlineData("scp -f '$(id)'")]
    [InlineData("scp -f '`id`'")]
    [InlineData("scp -f '/tmp/%PATH%'")]
    [InlineData("scp -f '/tmp/a^b'")]
    [InlineData("scp -f '/tmp/a>b'")]
    [InlineData("scp -t ''")]
    [InlineData("scp -t it's")]
    // Not scp's own server flags, or not exactly one of -t/-f, or not exactly one path.
    [InlineData("scp")]
    [InlineData("scp ")]
    [InlineData("scp -t")]
    [InlineData("scp -t --")]
    [InlineData("scp -t a b")]
    [InlineData("scp -t /tmp/x y")]
    [InlineData("scp -t -f x")]
    [InlineData("scp -tf x")]
    [InlineData("scp -t -t x")]
    [InlineData("scp -r -r -t x")]
    [InlineData("scp -x /tmp")]
    [InlineData("scp -t -x /tmp")]
    [InlineData("scp -t -x")]
    [InlineData("scp -t '-x'")]
    [InlineData("scp -S /bin/sh -t /tmp")]
    [InlineData("scp -o ProxyCommand=id -t /tmp")]
    [InlineData("scp -r /tmp")]
    [InlineData("scp /etc/passwd host:/tmp")]
    [InlineData("scp - -t /tmp")]
    [InlineData("scp -t -- a b")]
    // Not the program scp, or not spelled the way scp clients spell it.
    [InlineData("scpx -t /tmp")]
    [InlineData("SCP -t /tmp")]
    [InlineData("/usr/bin/scp -t /tmp")]
    [InlineData("'scp' -t /tmp")]
    [InlineData("sc'p' -t /tmp")]
    [InlineData(" scp -t /tmp")]
    [InlineData("scp -t /tmp ")]
    [InlineData("scp  -t /tmp")]
    [InlineData("scp\t-t /tmp")]
    [InlineData("scp -t\t/tmp")]
    [InlineData("scp -t /tmp/\u202Egpj.exe")]
    [InlineData("scp -t /tmp/a\u00A0b")]
    [InlineData("x=1 scp -t /tmp")]
    [InlineData("exec scp -t /tmp")]
    public void Anything_else_is_not_scp(string command)
    {
        Assert.False(ScpCommandLine.TryParse(command, out var parsed), command);
        Assert.Null(parsed);
    }

    [Fact]
    public void The_flags_are_read()
    {
        Assert.True(ScpCommandLine.TryParse("scp -v -r -p -d -t '/srv/in'", out var parsed));
        Assert.Equal((true, true, true, true, "/srv/in"), (parsed!.Upload, parsed.Recursive, parsed.PreserveTimes, parsed.TargetIsDirectory, parsed.Path));
        Assert.True(ScpCommandLine.TryParse("scp -f x", out parsed));
        Assert.Equal((false, false, false, false), (parsed!.Upload, parsed.Recursive, parsed.PreserveTimes, parsed.TargetIsDirectory));
    }

    [Fact]
    public void An_absurdly_long_command_is_not_scp()
    {
        Assert.False(ScpCommandLine.TryParse("scp -t /" + new string('a', ScpCommandLine.MaxLength), out _));
    }
}
