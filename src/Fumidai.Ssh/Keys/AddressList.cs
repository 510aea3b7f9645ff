using System.Net;

namespace Fumidai.Ssh.Keys;

/// <summary>Matches an address against a comma-separated list of addresses and CIDR blocks (the certificate <c>source-address</c> syntax).</summary>
public static class AddressList
{
    /// <summary>True if <paramref name="address"/> falls in any entry. Throws <see cref="FormatException"/> for a malformed list.</summary>
    public static bool Contains(string list, IPAddress address)
    {
        if (address.IsIPv4MappedToIPv6) address = address.MapToIPv4();
        var bytes = address.GetAddressBytes();
        bool found = false;
        foreach (var raw in list.Split(','))
        {
            var entry = raw.Trim();
            int slash = entry.IndexOf('/');
            string host = slash < 0 ? entry : entry[..slash];
            if (!IPAddress.TryParse(host, out var network)) throw new FormatException("bad address in list");
            var networkBytes = network.GetAddressBytes();
            int prefix = networkBytes.Length * 8;
            if (slash >= 0 && (!int.TryParse(entry.AsSpan(slash + 1), out prefix) || prefix < 0 || prefix > networkBytes.Length * 8))
                throw new FormatException("bad prefix length in list");
            // Keep parsing after a hit so that a malformed list is refused whatever the address.
            if (networkBytes.Length == bytes.Length && PrefixEquals(networkBytes, bytes, prefix)) found = true;
        }
        return found;
    }

    private static bool PrefixEquals(byte[] a, byte[] b, int bits)
    {
        int whole = bits / 8;
        for (int i = 0; i < whole; i++)
        {
            if (a[i] != b[i]) return false;
        }
        int rest = bits % 8;
        if (rest == 0) return true;
        int mask = 0xff << (8 - rest) & 0xff;
        return (a[whole] & mask) == (b[whole] & mask);
    }
}
