namespace Fumidai.Ssh.Wire;

/// <summary>SSH message numbers (RFC 4250 §4.1, RFC 4252, RFC 4254, RFC 8308).</summary>
public enum MessageNumber : byte
{
    Disconnect = 1,
    Ignore = 2,
    Unimplemented = 3,
    Debug = 4,
    ServiceRequest = 5,
    ServiceAccept = 6,
    ExtInfo = 7,
    KexInit = 20,
    NewKeys = 21,
    /// <summary>KEX_ECDH_INIT / KEX_HYBRID_INIT (method-specific 30..49).</summary>
    KexEcdhInit = 30,
    /// <summary>KEX_ECDH_REPLY / KEX_HYBRID_REPLY.</summary>
    KexEcdhReply = 31,
    UserAuthRequest = 50,
    UserAuthFailure = 51,
    UserAuthSuccess = 52,
    UserAuthBanner = 53,
    /// <summary>USERAUTH_PK_OK, USERAUTH_INFO_REQUEST and PASSWD_CHANGEREQ share 60; the method in progress decides.</summary>
    UserAuthPkOk = 60,
    UserAuthInfoRequest = 60,
    UserAuthInfoResponse = 61,
    GlobalRequest = 80,
    RequestSuccess = 81,
    RequestFailure = 82,
    ChannelOpen = 90,
    ChannelOpenConfirmation = 91,
    ChannelOpenFailure = 92,
    ChannelWindowAdjust = 93,
    ChannelData = 94,
    ChannelExtendedData = 95,
    ChannelEof = 96,
    ChannelClose = 97,
    ChannelRequest = 98,
    ChannelSuccess = 99,
    ChannelFailure = 100,
}
