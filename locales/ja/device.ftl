## /device: entering the code
device-title = デバイスを接続
device-check-match = このコードがデバイスに表示されているコードと一致することを確認してください。
device-check-match-hint = 今テレビやデバイスに同じコードが表示されている場合にのみ続行してください。
device-enter-code = テレビやデバイスに表示されているコードを入力してください。
device-code-label = コード
device-continue = 続行
device-code-invalid = このコードは無効です。デバイスに表示されているコードを確認してください。
device-code-warning = 目の前のデバイスに表示されたコードだけを入力してください。他人から送られてきたコードは絶対に入力しないでください。

## /device/consent
device-consent-title = サインインの承認
device-consent-heading = <strong>{ $app }</strong> が <strong>{ $user }</strong> としてサインインしようとしています
device-consent-lead = ご自身のデバイスで今この操作を始めた場合にのみ承認してください。
device-browser-sign-in = <strong>これにより、ウェブブラウザがあなたとしてサインインします</strong>（このコードを表示しているブラウザです）。そのブラウザは { $app } に進み、あなたのアカウントを使用できるようになります。
device-browser-sign-in-hint = そのブラウザが今あなたの目の前にある場合にのみ承認してください。他人から送られてきたコードは絶対に承認しないでください。
device-signed-in-as = <strong>{ $user }</strong> としてサインイン中です。ご本人ではありませんか？
device-sign-out = サインアウト

## The question: what the app may do, and the device asking
device-access-heading = 許可される内容
device-access-heading-app = { $app } に許可される内容
device-scope-openid = 本人であることの確認（アカウント ID）
device-scope-profile = 名前とユーザー名の表示
device-scope-email = メールアドレスの表示
device-scope-offline-access = サインアウトされるまでサインイン状態を維持
device-scope-other = その他のアクセス
device-asking-heading = リクエスト元のデバイス
device-reported-heading = デバイスからの申告
device-reported-note = 以下はデバイス自身が申告した内容です。どのデバイスも好きな名前を名乗れるため、目の前のデバイスであることを確認してください。
device-observed-heading = Usher が確認した情報
device-fact-name = 名前
device-fact-model = モデル
device-fact-system = システム
device-fact-app-version = アプリのバージョン
device-fact-software = ソフトウェア
device-fact-ip = IP アドレス
device-network-different = あなたとは別のネットワーク
device-network-same = あなたと同じネットワーク
device-fact-app = アプリ
device-fact-asked = リクエスト
device-fact-code = コード
device-fact-expires = 残り時間
device-expired-notice = このコードは有効期限が切れました。デバイスでもう一度始めて新しいコードを取得し、ここに入力してください。
device-network-warning = <strong>このリクエストは、あなたとは別のネットワークから送られています。</strong>目の前にあるデバイスだけを承認してください。
device-network-warning-hint = 誰かからこのコードを送られたり、入力するよう頼まれたりした場合は拒否してください。承認すると、その人があなたのアカウントに入れるようになります。

## Approve and Deny, and the proof an approval needs
device-approve = 承認
device-deny = 拒否
device-approve-passkey = パスキーで承認
device-approve-passkey-instead = 代わりにパスキーで承認
device-in-front = デバイスは目の前にあり、自分でこの操作を始めました
device-passkey-unsupported = このブラウザではここでパスキーを使用できません。パスキーが保存されているスマートフォンまたはブラウザで承認してください。
device-refused-heading = 承認するには、もう 1 つ手順が必要です
device-security-link = セキュリティページを開く
device-refused-no-passkey = この承認にはパスキーが必要ですが、このアカウントにはまだパスキーがありません。セキュリティページ（[アカウント] → [セキュリティ]）でパスキーを追加してから、もう一度お試しください。
device-refused-no-second-factor = このアプリの承認には 2 つ目の要素が必要ですが、このアカウントにはまだありません。セキュリティページ（[アカウント] → [セキュリティ]）でパスキーまたは認証アプリを追加してから、もう一度お試しください。
device-proof-heading = ご本人確認
device-proof-passkey = 承認するには、パスキーで確認してください。スマートフォンで指紋、顔、または PIN の入力を求められます。
device-proof-password = 前回のサインインから時間が経っています。承認するには、パスワードをもう一度入力してください。
device-proof-otp = このアプリには 2 つ目の要素が必要です。承認するには、認証アプリのコードを入力してください。
device-password-label = パスワード
device-otp-label = 認証アプリのコード（または復旧コード）
device-wrong-password = パスワードが正しくありません。このアカウントのパスワードを入力してください。
device-password-missing = 承認するにはパスワードを入力してください。
device-passkey-missing = 承認するにはパスキーで確認してください。
device-otp-missing = 承認するには、認証アプリのコード（または復旧コード）を入力してください。
device-wrong-otp = コードが正しくありません。認証アプリに表示されている現在のコードを入力してください。
device-in-front-missing = このリクエストは別のネットワークから送られています。それでも承認する場合は、先に「デバイスは目の前にあり、自分でこの操作を始めました」にチェックを入れてください。
device-password-locked = パスワードの誤りが多すぎます。アカウント保護のため、パスワードによる承認を一時停止しています。{ $wait }後にもう一度お試しください。拒否は引き続き行えます。
device-otp-locked = コードの誤りが多すぎます。アカウント保護のため、コードによる承認を一時停止しています。{ $wait }後にもう一度お試しください。拒否は引き続き行えます。

## After a decision that was already made
device-already-approved-title = 承認済み
device-already-approved-text = このリクエストはすでに承認されているため、デバイスはサインイン済みです。サインアウトさせるには、「お使いのデバイス」を開いてください。
device-already-denied-title = 拒否済み
device-already-denied-text = このリクエストはすでに拒否されているため、デバイスはサインインしていません。サインインするには、デバイスでもう一度始めてください。
device-your-devices = お使いのデバイス
device-another-code = 別のコードを入力

## The pairing code page
device-pair-title = ペアリングコード
device-pair-heading = アプリでこのコードをスキャンしてください
device-pair-lead = この QR コードで、新しいデバイスをアカウントに追加します。そのデバイスでサインインしたいアプリを開き、コードでサインインする方法を選んで、アプリ上でこのコードをスキャンしてください。
