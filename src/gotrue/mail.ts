/** The kinds of mail GoTrue sends (gotrue.md §5.3, §5.4). */
export type MailType = 'confirmation' | 'invite' | 'recovery' | 'email_change'

/**
 * A mail GoTrue would have sent. `url` is the link in it: the site URL with the token in the
 * fragment (`#confirmation_token=…`, `#invite_token=…`, `#recovery_token=…`,
 * `#email_change_token=…`), which is what the Identity widget reads.
 */
export interface SentMail {
  /** What the mail is for. */
  type: MailType
  /** The recipient. */
  to: string
  /** The one-time token to pass to `/verify` (or `PUT /user` for an e-mail change). */
  token: string
  /** The link in the mail. */
  url: string
  /** RFC 3339, from the instance clock. */
  sent_at: string
}

/**
 * `identity.mail`: the outbox of the emulated GoTrue. Nothing is delivered; tests read the tokens
 * here, e.g. `identity.mail.last(email, 'confirmation').token` for gotrue-js `confirm(token)`.
 */
export interface Outbox {
  /** Every mail, oldest first. */
  all(): SentMail[]
  /** The newest mail, optionally to one address and of one type; `undefined` when none. */
  last(to?: string, type?: MailType): SentMail | undefined
  /** Empties the outbox. */
  clear(): void
}

/** @internal */
export class MailBox implements Outbox {
  readonly #sent: SentMail[] = []
  readonly #siteUrl: string
  /** Called with a copy of each mail as it is sent (the HTTP server prints the outbox). */
  onSend: ((mail: SentMail) => void) | undefined

  constructor(siteUrl: string) {
    this.#siteUrl = siteUrl
  }

  send(type: MailType, to: string, token: string, sentAt: string): void {
    const mail: SentMail = { type, to, token, url: `${this.#siteUrl}/#${type}_token=${token}`, sent_at: sentAt }
    this.#sent.push(mail)
    this.onSend?.({ ...mail })
  }

  all(): SentMail[] {
    return this.#sent.map((m) => ({ ...m }))
  }

  last(to?: string, type?: MailType): SentMail | undefined {
    const address = to?.toLowerCase()
    for (let i = this.#sent.length - 1; i >= 0; i--) {
      const m = this.#sent[i]!
      if ((address === undefined || m.to.toLowerCase() === address) && (type === undefined || m.type === type)) return { ...m }
    }
    return undefined
  }

  clear(): void {
    this.#sent.length = 0
  }
}
