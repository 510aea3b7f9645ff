using Fumidai.Gateway.Policy;
using Fumidai.Recording.Asciicast;
using Fumidai.Recording.Transcripts;

namespace Fumidai.Gateway.Sessions;

/// <summary>The commands of a session found event by event while it is recorded: what <see cref="SessionIndexer.Commands(SessionRecord, Stream?)"/> finds reading it back.</summary>
public sealed class CommandCollector
{
    private readonly string _kind;
    private readonly string? _command;
    private readonly TranscriptBuilder? _shell;
    private readonly StdinCommands? _stdin;

    /// <summary>For a session of <paramref name="kind"/> running <paramref name="command"/> (null for a shell), on a terminal of the recording's size.</summary>
    public CommandCollector(string kind, string? command, int columns, int rows)
    {
        _kind = kind;
        _command = command;
        if (kind == ChannelKinds.Shell) _shell = new TranscriptBuilder(columns, rows, keepTranscript: false);
        else if (kind == ChannelKinds.Exec && command is not null && ShellExec.ReadsCommandsFromStdin(command)) _stdin = new StdinCommands();
    }

    /// <summary>Feeds one recorded event, in order.</summary>
    public void Add(AsciicastEvent e)
    {
        _shell?.Add(e);
        _stdin?.Add(e);
    }

    /// <summary>The commands found: the exec's own line first, then those typed or fed.</summary>
    public IReadOnlyList<(TimeSpan Offset, string Command, string? Mark)> Complete()
    {
        var commands = new List<(TimeSpan, string, string?)>();
        if (_kind is ChannelKinds.Exec or ChannelKinds.Scp && _command is { } line) commands.Add((TimeSpan.Zero, line, null));
        IReadOnlyList<TypedCommand> found = _shell is not null ? Complete(_shell) : _stdin?.Complete() ?? [];
        commands.AddRange(found.Select(c => (c.Time, c.Command, c.Mark)));
        return commands;
    }

    private static IReadOnlyList<TypedCommand> Complete(TranscriptBuilder shell)
    {
        shell.Complete();
        return shell.Commands;
    }
}
