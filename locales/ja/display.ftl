display-title-waiting = このデバイスでサインイン
display-title-expired = コードの有効期限切れ
display-title-unknown = 待機中のコードではありません
display-qr-alt = コード { $code } のサインインリンクの QR コード
display-scan-or-open = スマートフォンのカメラで QR コードをスキャンするか、スマートフォンで次のアドレスを開いて
display-then-enter = 次のコードを入力してください
display-expires-in = 残り時間
display-check-again = もう一度確認

## Outcomes, shown in place when the phone decides
display-approved = 承認されました
display-approved-lead = サインインが承認されました。このデバイスはサインインしています。
display-denied = サインインが拒否されました
display-denied-lead = スマートフォンでサインインが拒否されました。誤って拒否した場合は、このデバイスでもう一度始めて新しいコードを取得してください。
display-expired = このコードは有効期限が切れています
display-expired-lead = 時間内に承認されなかったため、このコードは使用できなくなりました。このデバイスでもう一度始めて新しいコードを取得してください。
display-unknown = このコードはサインインを待っていません
display-unknown-lead = このページのアドレスにあるコードは Usher に登録されていません。少し前に期限が切れたか、文字が間違っている可能性があります。デバイスでもう一度始めてください。新しいコードが表示され、そのコード用にこのページが開きます。
