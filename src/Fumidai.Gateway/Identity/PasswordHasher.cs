using System.Security.Cryptography;
using System.Text;
using Konscious.Security.Cryptography;

namespace Fumidai.Gateway.Identity;

/// <summary>Argon2id password hashes in the PHC string format, and the password rule (PCI DSS 8.3.6).</summary>
public static class PasswordHasher
{
    // OWASP's Argon2id baseline: 19 MiB, 2 passes, 1 lane.
    private const int MemoryKiB = 19 * 1024;
    private const int Iterations = 2;
    private const int Parallelism = 1;
    private const int HashLength = 32;
    public const int MinimumLength = 12;

    /// <summary>Null when acceptable, else why not: at least 12 characters with letters and digits.</summary>
    public static string? CheckPolicy(string password)
    {
        if (password.Length < MinimumLength) return $"the password must have at least {MinimumLength} characters";
        if (!password.Any(char.IsLetter) || !password.Any(char.IsDigit)) return "the password must contain both letters and digits";
        return null;
    }

    public static string Hash(string password) => Hash(password, MemoryKiB, Iterations);

    /// <summary>A hash at another cost: <see cref="Verify"/> reads the cost from the hash, so tests can store cheap ones.</summary>
    internal static string Hash(string password, int memoryKiB, int iterations)
    {
        var salt = RandomNumberGenerator.GetBytes(16);
        var hash = Compute(password, salt, memoryKiB, iterations, Parallelism, HashLength);
        return $"$argon2id$v=19$m={memoryKiB},t={iterations},p={Parallelism}${ToB64(salt)}${ToB64(hash)}";
    }

    /// <summary>Checks a password against a stored hash in constant time; false for malformed hashes.</summary>
    public static bool Verify(string password, string encoded)
    {
        var parts = encoded.Split('$');
        if (parts.Length != 6 || parts[1] != "argon2id" || parts[2] != "v=19") return false;
        int m = 0, t = 0, p = 0;
        foreach (var setting in parts[3].Split(','))
        {
            var kv = setting.Split('=');
            if (kv.Length != 2 || !int.TryParse(kv[1], out int value)) return false;
            switch (kv[0])
            {
                case "m": m = value; break;
                case "t": t = value; break;
                case "p": p = value; break;
            }
        }
        if (m is < 8 or > 1024 * 1024 || t is < 1 or > 16 || p is < 1 or > 16) return false;
        byte[] salt, expected;
        try
        {
            salt = FromB64(parts[4]);
            expected = FromB64(parts[5]);
        }
        catch (FormatException)
        {
            return false;
        }
        // Argon2 refuses an empty input; an empty password is simply wrong, after the same work as any other.
        bool empty = password.Length == 0;
        var actual = Compute(empty ? "\0" : password, salt, m, t, p, expected.Length);
        return CryptographicOperations.FixedTimeEquals(actual, expected) && !empty;
    }

    private static byte[] Compute(string password, byte[] salt, int memoryKiB, int iterations, int parallelism, int length)
    {
        using var argon = new Argon2id(Encoding.UTF8.GetBytes(password))
        {
            Salt = salt,
            MemorySize = memoryKiB,
            Iterations = iterations,
            DegreeOfParallelism = parallelism,
        };
        return argon.GetBytes(length);
    }

    private static string ToB64(byte[] bytes) => Convert.ToBase64String(bytes).TrimEnd('=');

    private static byte[] FromB64(string text) => Convert.FromBase64String(text.PadRight(text.Length + (4 - text.Length % 4) % 4, '='));
}
