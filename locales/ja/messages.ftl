msg-action-enter-code = コードを入力
msg-action-sign-in-another = 別のデバイスでログイン
msg-action-enter-another = 別のコードを入力
msg-action-sign-in-device = デバイスでログイン

msg-approved-other-browser-title = もう一方のブラウザでログインしました
msg-approved-other-browser-text = もう一方のブラウザでログインが完了し、自動的に続行されます。このページは閉じてかまいません。
msg-approved-terminal-title = ターミナルでログインしました
msg-approved-terminal-text = ターミナルでログインしました。ターミナルに戻り、このページは閉じてかまいません。
msg-approved-device-title = デバイスでログインしました
msg-approved-tv-text = テレビでログインしました。テレビに戻ってください。
msg-approved-device-text = デバイスでログインしました。デバイスに戻ってください。

msg-denied-title = リクエストを拒否しました
msg-denied-text = デバイスはログインしておらず、あなたのアカウントを使用できません。心当たりがない場合は、これ以上何もする必要はありません。誤って拒否した場合は、デバイスでもう一度やり直して新しいコードを取得してください。

msg-signed-out-title = ログアウトしました
msg-signed-out-text = このブラウザで Usher からログアウトしました。

msg-try-again-in = <strong>{ $wait }</strong>後にもう一度お試しください。
msg-reference = 参照番号:

error-action-your-devices = デバイス一覧
error-action-enter-the-new-code = 新しいコードを入力
error-action-enter-a-new-code = 新しいコードを入力

error-form-title = フォームで問題が発生しました
error-form-text = フォームを読み取れませんでした。前のページに戻り、ページを再読み込みしてもう一度お試しください。
error-csrf-title = フォームの有効期限が切れました
error-csrf-text = ページが長時間開かれていたか、フォームが別のサイトから送信されました。何も変更されていません。前のページからやり直してください。
error-too-many-title = 試行回数が多すぎます
error-too-many-text = アカウントを保護するため、ログインをしばらく停止しています。今は正しいパスワードやコードを入力しても受け付けられません。
error-expired-code-title = コードの有効期限切れ
error-expired-code-text = このコードは有効期限が切れています。コードの有効期間は数分間だけです。デバイスでもう一度ログインを開始して新しいコードを取得し、ここに入力してください。
error-code-used-title = 使用済みのコード
error-code-used-text = このコードはすでに使用されているため、デバイスはおそらくログイン済みです。デバイスを確認してください。まだログインを求められる場合は、デバイスでもう一度やり直して新しいコードを取得してください。
error-pairing-bound-title = もう一方の画面で承認してください
error-pairing-bound-text = このデバイスは、ログイン中のブラウザから追加されています。ペアリングコードが表示された「デバイスを追加」ページで承認してください。
error-not-waiting-title = 承認するものはありません
error-not-waiting-text = このリクエストはすでに応答済みか、有効期限が切れています。デバイスを確認してください。ログインしていれば完了です。ログインしていない場合は、デバイスでもう一度やり直して新しいコードを取得してください。
error-device-not-found-title = デバイスが見つかりません
error-device-not-found-text = このデバイスはあなたのアカウントにログインしていません。すでにログアウトされている可能性があります。
error-not-found-title = ページが見つかりません
error-not-found-text = このアドレスにはページがありません。デバイスに表示されたアドレスを確認するか、ここにデバイスのコードを入力してください。
error-bad-link-title = このログインリンクは無効です
error-internal-title = 問題が発生しました
error-internal-text = サーバー側で問題が発生しました。お客様の操作が原因ではありません。しばらくしてからもう一度お試しください。問題が続く場合は、下記の参照番号を管理者にお伝えください。
