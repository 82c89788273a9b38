## ログインページ (/login)
signin-title = ログイン
signin-purpose-app = ログインして <strong>{ $app }</strong> に進みます。
signin-purpose-device = ログインして、デバイスを <strong>{ $app }</strong> に接続します。
signin-purpose-other-browser = ログインして、もう一方の画面で <strong>{ $app }</strong> に進みます。
signin-purpose-account = アカウントにログインします。
signin-purpose-device-code = ログインして、デバイスを接続します。
signin-step-up = このアプリでは、パスキーまたはワンタイムコードによる確認が必要です。
signin-passkey-button = パスキーでログイン
signin-or = または
signin-or-password = またはパスワードを使用
signin-username = ユーザー名
signin-password = パスワード
signin-submit = ログイン
signin-wrong-credentials = ユーザー名またはパスワードが正しくありません。

## ログインページの「QRコードでログイン」
signin-qr-button = QRコードでログイン
signin-qr-button-hint = すでにログインしているスマートフォンでコードをスキャンします。

## 2段階目 (/login/otp)
signin-otp-title = 2段階認証
signin-otp-lead = 認証アプリに表示されている6桁のコードを入力してください。
signin-otp-recovery-lead = リカバリーコードを1つ入力してください。各コードは1回だけ使用できます。
signin-otp-code = コード
signin-otp-recovery-code = リカバリーコード
signin-otp-use-app = 認証アプリを使用する
signin-otp-use-recovery = リカバリーコードを使用する
signin-otp-wrong-code = コードが正しくありません。アプリに現在表示されているコードを入力してください。
signin-continue = 続行

## QRコードでのログイン (/login/qr)
signin-qr-title = QRコードでログイン
signin-qr-lead = ログイン済みのスマートフォンでこのコードをスキャンして、<strong>{ $app }</strong> に進んでください。
signin-qr-step-scan = スマートフォンのカメラをコードに向けて、リンクを開きます。
signin-qr-step-compare = スマートフォンにコード <strong class="code">{ $code }</strong> が表示されていることを確認します。
signin-qr-step-approve = 承認します。このページは自動的に次へ進みます。
signin-qr-noscript = スマートフォンで承認すると、数秒以内にこのページが次へ進みます。進まない場合は、<a href="{ $href }">もう一度確認</a>してください。
signin-qr-expired-title = このQRコードは有効期限が切れています
signin-qr-expired-text = ログインコードの有効期間は数分間だけで、期限切れのコードは再使用できません。新しいコードを表示して、もう一度お試しください。
signin-qr-denied-title = ログインが拒否されました
signin-qr-denied-text = スマートフォンでログインが拒否されました。このコードは再使用できません。
signin-qr-new-code = 新しいコードを表示
signin-qr-password-instead = パスワードでログインする

## QRコードと残り時間（テレビ表示でも使用）
signin-qr-image-alt = コード { $code } のログインリンクのQRコード
signin-qr-expires-in = 有効期限まで残り <span data-clock>{ $clock }</span>
signin-qr-no-camera = カメラがない場合は、スマートフォンで <strong>{ $uri }</strong> を開いてコードを入力してください。

## 間違ったデバイスコードが多すぎる場合
signin-locked-out-title = 間違ったコードが多すぎます
signin-locked-out-text = アカウントを保護するため、{ $scope ->
    [session] このブラウザでは
    [server] しばらくの間、すべてのユーザーに対して
   *[network] お使いのネットワークでは
}コードの入力を一時停止しています。それまでは、正しいコードであっても受け付けられません。
signin-locked-out-wait = <strong>{ $wait }</strong>後にもう一度お試しください。その間に、デバイスに表示されているコードを確認してください。期限切れの場合は、デバイスでやり直して新しいコードを取得してください。

## アプリケーションからのログアウト要求 (/oauth2/logout)
signin-logout-title = ログアウト
signin-logout-heading = Usher からログアウトしますか？
signin-logout-asked-by = <strong>{ $app }</strong> がログアウトを求めています。
signin-logout-asked-by-unknown = アプリケーションがログアウトを求めています。
signin-logout-button = ログアウト
signin-logout-stay = ログインしたままにする

## アプリケーションへの移動
signin-returning-title = 移動しています
signin-returning-to = { $app } に戻っています
signin-returning-to-unknown = アプリケーションに戻っています
signin-returning-hint = 画面が切り替わらない場合は、「続行」を押してください。

## ウェブアプリへの同意
signin-consent-title = アクセスの許可
signin-consent-heading = <strong>{ $app }</strong> が <strong>{ $user }</strong> としてのログインを求めています
signin-consent-return-to = この後、<span class="code-inline">{ $host }</span> に戻ります。
signin-consent-access = このアプリに許可されること
signin-consent-allow = 許可
signin-consent-deny = 拒否
signin-consent-withdraw = この許可は、後で<a href="/account/consents">アカウントページ</a>から取り消せます。

## 無効なログインリンク
signin-error-malformed-link = ログインリンクの形式が正しくありません。
signin-error-repeated-parameter = ログインリンクに重複したパラメータか、使用できない文字が含まれています。
signin-error-no-client-id = アプリケーションが自身を名乗っていません（client_id がありません）。
signin-error-unknown-client = このアプリケーションはここに登録されていません。
signin-error-unregistered-redirect = アプリケーションが、登録されていないアドレスへの移動を求めました。
signin-error-request-expired = このログインは有効期限が切れています。アプリケーションに戻って、最初からやり直してください。
signin-error-bad-logout-link = ログアウトリンクが無効です。

## パスキー
signin-passkey-signed-out = ログアウトしています。もう一度ログインしてから、やり直してください。
signin-passkey-unavailable = このサーバーではパスキーを利用できません。
signin-passkey-too-slow = 時間がかかりすぎました。もう一度お試しください。
signin-passkey-unknown = このパスキーはここに登録されていません。削除された可能性があります。
signin-passkey-not-verified = パスキーを確認できませんでした。指紋、顔、またはPINでロックを解除して、もう一度お試しください。
signin-passkey-already-registered = このパスキーはすでに登録されています。
signin-passkey-inactive = このアカウントではログインできません。
signin-passkey-server-error = サーバー側で問題が発生しました。しばらくしてから、もう一度お試しください。
signin-passkey-reconfirm = まず本人確認のため、パスワードをもう一度入力してください。
signin-passkey-none-yet = このアカウントにはまだパスキーがありません。
signin-passkey-page-expired = このページは有効期限が切れています。再読み込みして、もう一度お試しください。
signin-passkey-unreadable = パスキーの応答を読み取れませんでした。もう一度お試しください。
signin-passkey-not-used = パスキーは使用されませんでした。もう一度試すか、パスワードを使用してください。
signin-passkey-failed = 問題が発生しました。もう一度お試しください。
