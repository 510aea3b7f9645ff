using System.Text;
using BenchmarkDotNet.Attributes;
using Fumidai.Recording.Terminal;

namespace Fumidai.Bench;

/// <summary>Throughput of the terminal screen model on a mixed stream: text, colours, cursor movement, CJK.</summary>
[MemoryDiagnoser]
public class ScreenModelBenchmarks
{
    private const int StreamBytes = 32 << 20;
    private byte[] _stream = [];

    [GlobalSetup]
    public void Setup()
    {
        // Something like a busy session: ls --color, compiler output, a readline redraw, Japanese file names.
        string[] pieces =
        [
            "\e[0m\e[01;34mdirectory\e[0m  \e[01;32mscript.sh\e[0m  notes.txt  README.md\r\n",
            "src/Fumidai.Recording/Terminal/TerminalScreen.cs(42,13): warning CS0168: variable declared but never used\r\n",
            "\e]0;alice@web01: ~/project\a\e[?2004halice@web01:~/project$ git status\b\b\b\b\b\b\e[K\e[1;31mstatus\e[m\r\n",
            "日本語のファイル名.txt  テスト結果.csv  設定.yaml\r\n",
            "\e[5;10H\e[2K\e[1A\e[3C\e[38;5;208mprogress 42%\e[0m\e[10;1H\e[J",
            "    at Fumidai.Gateway.Relay.PumpAsync(Channel source, Channel target) in Relay.cs:line 118\r\n",
        ];
        var sb = new StringBuilder();
        var random = new Random(42);
        while (sb.Length < StreamBytes / 2)
            sb.Append(pieces[random.Next(pieces.Length)]);
        byte[] one = Encoding.UTF8.GetBytes(sb.ToString());
        _stream = new byte[StreamBytes];
        for (int i = 0; i < StreamBytes; i += one.Length)
            one.AsSpan(0, Math.Min(one.Length, StreamBytes - i)).CopyTo(_stream.AsSpan(i));
    }

    /// <summary>Feeds the stream in 16 KiB chunks, as a relay hands it over; MB/s = 32 MiB / mean time.</summary>
    [Benchmark]
    public int Feed32MiB()
    {
        var screen = new TerminalScreen(120, 40);
        for (int i = 0; i < _stream.Length; i += 16 * 1024)
            screen.Feed(_stream.AsSpan(i, Math.Min(16 * 1024, _stream.Length - i)));
        return screen.CursorRow;
    }

    /// <summary>The screen model's throughput figure: a 512 MiB stream through one screen (the 32 MiB stream sixteen times); MB/s = 512 MiB / mean time.</summary>
    [Benchmark]
    public int Feed512MiB()
    {
        var screen = new TerminalScreen(120, 40);
        for (int pass = 0; pass < 16; pass++)
        {
            for (int i = 0; i < _stream.Length; i += 16 * 1024)
                screen.Feed(_stream.AsSpan(i, Math.Min(16 * 1024, _stream.Length - i)));
        }
        return screen.CursorRow;
    }
}
