"""In-app notifications (消息通知) with a pluggable outbound channel (SMS, 企业微信, 钉钉 …)."""
