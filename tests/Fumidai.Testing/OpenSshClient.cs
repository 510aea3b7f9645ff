using System.Text;
using Fumidai.Ssh.Keys;

namespace Fumidai.Testing;

/// <summary>Debian's OpenSSH client driven non-interactively against a server on 127.0.0.1.</summary>
public sealed class OpenSshClient
{
    private readonly TempDirectory _directory;
    private readonly int _port;

    /// <param name="hostKeys">The server's host keys, pinned in a private known_hosts file.</param>
    public OpenSshClient(TempDirectory directory, int port, IEnumerable<SshPublicKey> hostKeys)
    {
        _directory = directory;
        _port = port;
        KnownHostsFile = directory.Combine($"known_hosts_{port}");
        File.WriteAllLines(KnownHostsFile, hostKeys.Select(k => $"[127.0.0.1]:{port} {k}"));
    }

    public string KnownHostsFile { get; }

    /// <summary>Arguments that isolate the client from ~/.ssh and the system configuration.</summary>
    public List<string> BaseArguments(string user, string? identityFile, params string[] options)
    {
        var args = new List<string>
        {
            "-F", "/dev/null",
            "-p", _port.ToString(),
            "-o", "UserKnownHostsFile=" + KnownHostsFile,
            "-o", "GlobalKnownHostsFile=/dev/null",
            "-o", "StrictHostKeyChecking=yes",
            "-o", "UpdateHostKeys=no",
            "-o", "ConnectTimeout=10",
            "-o", "IdentitiesOnly=yes",
            "-o", "IdentityAgent=none",
        };
        if (identityFile is not null)
        {
            args.Add("-i");
            args.Add(identityFile);
        }
        foreach (var option in options)
        {
            args.Add("-o");
            args.Add(option);
        }
        args.Add(user + "@127.0.0.1");
        return args;
    }

    /// <summary>Runs a remote command; <paramref name="askpassAnswer"/> is given to every prompt through SSH_ASKPASS.</summary>
    public Task<ProcessRunner.Result> ExecAsync(string user, string? identityFile, string command, string[]? options = null,
        byte[]? input = null, string? inputFile = null, string? askpassAnswer = null, bool verbose = false, TimeSpan? timeout = null,
        Func<Stream, Task>? consumeOutput = null)
    {
        var args = BaseArguments(user, identityFile, options ?? []);
        if (verbose) args.Insert(0, "-vv");
        var environment = new Dictionary<string, string>();
        if (askpassAnswer is null)
        {
            args.InsertRange(0, ["-o", "BatchMode=yes"]);
        }
        else
        {
            environment["SSH_ASKPASS"] = WriteAskpass(askpassAnswer);
            environment["SSH_ASKPASS_REQUIRE"] = "force";
            environment["DISPLAY"] = ":0";
        }
        args.Add(command);
        return ProcessRunner.RunAsync("ssh", args, timeout ?? TimeSpan.FromSeconds(60), input, inputFile, environment, consumeOutput);
    }

    /// <summary>An askpass script that prints the answer and logs each prompt it was asked.</summary>
    private string WriteAskpass(string answer)
    {
        string path = _directory.Combine($"askpass-{Guid.NewGuid():N}.sh");
        string prompts = _directory.Combine("askpass-prompts.log");
        var script = new StringBuilder()
            .Append("#!/bin/sh\n")
            .Append("printf '%s\\n' \"$1\" >> '").Append(prompts).Append("'\n")
            .Append("printf '%s\\n' '").Append(answer.Replace("'", "'\\''")).Append("'\n");
        File.WriteAllText(path, script.ToString());
        File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserExecute | UnixFileMode.UserWrite);
        return path;
    }

    /// <summary>Prompts the askpass helper was shown, one a line.</summary>
    public string[] AskpassPrompts()
    {
        string path = _directory.Combine("askpass-prompts.log");
        return File.Exists(path) ? File.ReadAllLines(path) : [];
    }
}
