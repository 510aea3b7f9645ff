using System.Globalization;

namespace Fumidai.Gateway.Configuration;

/// <summary>What <c>fumidai audit summary</c> calls unusual: logins outside working hours, commands on the watch list.</summary>
public sealed class ReviewOptions
{
    /// <summary>HH:MM-HH:MM in <see cref="TimeZone"/>; a login or session outside it is listed as at an unusual hour.</summary>
    public string WorkingHours { get; set; } = "07:00-19:00";

    /// <summary>Days of the week counted as working days (Mon … Sun); any time on another day is unusual. Unset: Mon to Fri.</summary>
    /// <remarks>Null by default rather than a filled list: the configuration binder appends to a list it finds, so a default
    /// list could never be replaced, only extended.</remarks>
    public List<string>? WorkingDays { get; set; }

    /// <summary>An IANA time zone name, e.g. Europe/Paris.</summary>
    public string TimeZone { get; set; } = "UTC";

    public static readonly IReadOnlyList<string> DefaultWorkingDays = ["Mon", "Tue", "Wed", "Thu", "Fri"];

    /// <summary>Substrings of typed commands worth a look in the daily review (case-insensitive); replaces <see cref="DefaultWatchCommands"/> when set.</summary>
    public List<string>? WatchCommands { get; set; }

    public static readonly IReadOnlyList<string> DefaultWatchCommands =
        ["rm -rf", "iptables", "nft ", "userdel", "useradd", "usermod", "passwd", "visudo", "chmod 777", "setenforce", "systemctl stop",
         "shutdown", "reboot", "history -c", "unset HISTFILE", "crontab", "authorized_keys", "/etc/shadow", "tcpdump", "nc -l"];

    public IReadOnlyList<string> Watched() => WatchCommands ?? DefaultWatchCommands;

    public (TimeOnly From, TimeOnly To) Hours()
    {
        var parts = WorkingHours.Split('-');
        return (TimeOnly.ParseExact(parts[0], "HH:mm", CultureInfo.InvariantCulture), TimeOnly.ParseExact(parts[1], "HH:mm", CultureInfo.InvariantCulture));
    }

    public IReadOnlySet<DayOfWeek> Days() => (WorkingDays ?? DefaultWorkingDays).Select(d => Enum.GetValues<DayOfWeek>()
        .First(w => w.ToString().StartsWith(d, StringComparison.OrdinalIgnoreCase))).ToHashSet();

    public TimeZoneInfo Zone() => TimeZoneInfo.FindSystemTimeZoneById(TimeZone);

    public IEnumerable<string> Validate()
    {
        var parts = (WorkingHours ?? "").Split('-');
        if (parts.Length != 2 || !parts.All(p => TimeOnly.TryParseExact(p, "HH:mm", CultureInfo.InvariantCulture, DateTimeStyles.None, out _)))
            yield return $"Review:WorkingHours = '{WorkingHours}' must be HH:MM-HH:MM";
        foreach (string day in (WorkingDays ?? []).Where(d => d.Length < 3 || !Enum.GetValues<DayOfWeek>().Any(w => w.ToString().StartsWith(d, StringComparison.OrdinalIgnoreCase))))
            yield return $"Review:WorkingDays has '{day}', which is not a day (Mon … Sun)";
        if (!TimeZoneInfo.TryFindSystemTimeZoneById(TimeZone ?? "", out _))
            yield return $"Review:TimeZone = '{TimeZone}' is not a known time zone";
        if (WatchCommands is { } watched && watched.Any(string.IsNullOrWhiteSpace))
            yield return "Review:WatchCommands must not hold an empty entry";
    }
}
