using System.Globalization;
using Microsoft.AspNetCore.Http;

namespace Fumidai.Web.Pages;

/// <summary>A query-string value that does not parse: the page answers 400 with this message and changes nothing.</summary>
public sealed class BadInputException(string message) : Exception(message);

/// <summary>Reads and checks query-string values; every refusal names the parameter and what it accepts.</summary>
public static class QueryInput
{
    public const int MaxPageSize = 200;

    public static string? Text(HttpRequest request, string key, int maxLength = 200)
    {
        string? value = request.Query[key].FirstOrDefault()?.Trim();
        if (string.IsNullOrEmpty(value)) return null;
        if (value.Length > maxLength) throw new BadInputException($"{key}: at most {maxLength} characters");
        if (value.Any(char.IsControl)) throw new BadInputException($"{key}: control characters are not allowed");
        return value;
    }

    /// <summary>A user or target name: letters, digits and <c>._-</c>, as the CLI accepts them.</summary>
    public static string? Name(HttpRequest request, string key)
    {
        string? value = Text(request, key, 64);
        if (value is not null && !value.All(c => char.IsAsciiLetterOrDigit(c) || c is '.' or '_' or '-'))
            throw new BadInputException($"{key}: '{value}' is not a name (letters, digits, '.', '_', '-')");
        return value;
    }

    /// <summary>A UTC time as <c>2026-01-31T14:05</c> (a date-time field's value) or with seconds, or a date alone.</summary>
    public static DateTimeOffset? Time(HttpRequest request, string key)
    {
        string? value = Text(request, key, 40);
        if (value is null) return null;
        string[] formats = ["yyyy-MM-dd'T'HH:mm", "yyyy-MM-dd'T'HH:mm:ss", "yyyy-MM-dd'T'HH:mm:ss'Z'", "yyyy-MM-dd'T'HH:mm'Z'", "yyyy-MM-dd"];
        if (DateTime.TryParseExact(value, formats, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out var time))
            return new DateTimeOffset(time, TimeSpan.Zero);
        throw new BadInputException($"{key}: '{value}' is not a UTC time such as 2026-01-31T14:05");
    }

    public static int Number(HttpRequest request, string key, int fallback, int min, int max)
    {
        string? value = Text(request, key, 12);
        if (value is null) return fallback;
        if (!int.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out int number) || number < min || number > max)
            throw new BadInputException($"{key}: '{value}' must be a whole number from {min} to {max}");
        return number;
    }

    public static string? OneOf(HttpRequest request, string key, IReadOnlyCollection<string> allowed)
    {
        string? value = Text(request, key, 40);
        if (value is not null && !allowed.Contains(value)) throw new BadInputException($"{key}: '{value}' must be one of {string.Join(", ", allowed)}");
        return value;
    }

    /// <summary>A session id as the bastion makes them; anything else cannot name a session (and cannot climb a path).</summary>
    public static bool IsSessionId(string id) => id.Length is > 0 and <= 128 && id.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_');
}
