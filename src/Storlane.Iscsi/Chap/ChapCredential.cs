namespace Storlane.Iscsi.Chap;

/// <summary>
/// A CHAP name (CHAP_N) and secret. The secret is used as its UTF-8 bytes, as initiators such as
/// open-iscsi do. <see cref="ToString"/> leaves the secret out so it never reaches a log.
/// </summary>
public sealed record ChapCredential(string User, string Secret)
{
    public override string ToString() => $"ChapCredential {{ User = {User} }}";
}
