using Fumidai.Recording.Asciicast;
using Fumidai.Recording.Transcripts;

namespace Fumidai.Recording.Tests.Transcripts;

// Real shells driven through tmux by Corpus/record.py; the committed recordings are the fixture, so these
// tests neither need tmux nor depend on timing.
public class CorpusTests
{
    public static TheoryData<string> Recordings()
    {
        var data = new TheoryData<string>();
        foreach (var path in Directory.GetFiles(CorpusDirectory, "*.cast").Order(StringComparer.Ordinal))
            data.Add(Path.GetFileNameWithoutExtension(path));
        return data;
    }

    private static string CorpusDirectory => Path.Combine(AppContext.BaseDirectory, "Corpus");

    [Theory]
    [MemberData(nameof(Recordings))]
    public void ExtractorMatchesTheExpectedCommands(string name)
    {
        var (header, events) = AsciicastReader.ReadFile(Path.Combine(CorpusDirectory, name + ".cast"));
        var commands = CommandExtractor.Extract(header, events).Select(c => c.Command).ToList();
        Assert.Equal(ReadExpected(name), commands);
    }

    [Theory]
    [MemberData(nameof(Recordings))]
    public void TranscriptHasNoEscapeSequencesAndNoSecrets(string name)
    {
        var (header, events) = AsciicastReader.ReadFile(Path.Combine(CorpusDirectory, name + ".cast"));
        string text = Transcript.Build(header, events).ToString();
        Assert.DoesNotContain('\e', text);
        Assert.DoesNotContain("hunter2", text);
        Assert.DoesNotContain("remote-secret", text);
        Assert.DoesNotContain("secret\n", text);
        Assert.DoesNotContain("corpus-Secret-42", text);   // sudo's password, typed at its prompt
        Assert.DoesNotContain("wrong-guess", text);         // and a mistyped one: a near miss is a secret too
        // Each command shows up as typed (its first two words: a backslash continuation splits the rest).
        foreach (var command in ReadExpected(name))
            Assert.Contains(string.Join(' ', command.Split('\n')[0].Split(' ').Take(2)), text);
    }

    [Fact]
    public void FullScreenEditorIsOneSummaryLine()
    {
        var (header, events) = AsciicastReader.ReadFile(Path.Combine(CorpusDirectory, "bash-vi.cast"));
        var lines = Transcript.Build(header, events).Lines.Select(l => l.Text).ToList();
        int vi = lines.FindIndex(l => l.StartsWith("[vi notes.txt — ", StringComparison.Ordinal) && l.EndsWith("s]", StringComparison.Ordinal));
        Assert.True(vi > 0, string.Join('\n', lines));
        Assert.EndsWith("$ vi notes.txt", lines[vi - 1]);
        Assert.DoesNotContain(lines, l => l.Trim() == "~");
        Assert.Contains(lines, l => l == "hello from vi");
    }

    [Fact]
    public void CommandTimesAreWhenEnterWasPressed()
    {
        var (header, events) = AsciicastReader.ReadFile(Path.Combine(CorpusDirectory, "bash-history.cast"));
        var commands = CommandExtractor.Extract(header, events);
        var enters = events.Where(e => e.Type == AsciicastEventType.Input && e.Data == "\r").Select(e => e.Time).ToList();
        Assert.All(commands, c => Assert.Contains(c.Time, enters));
        Assert.True(commands.Zip(commands.Skip(1)).All(p => p.First.Time < p.Second.Time));
    }

    private static List<string> ReadExpected(string name)
    {
        var result = new List<string>();
        foreach (var line in File.ReadAllLines(Path.Combine(CorpusDirectory, name + ".commands.txt")))
        {
            if (line.StartsWith('\t') && result.Count > 0)
                result[^1] += "\n" + line[1..];
            else if (line.Length > 0)
                result.Add(line);
        }
        return result;
    }
}
