package store

import "github.com/swtoken/swtoken/model"

// smtpJSON is the stored form of model.SMTPSettings inside
// settings/selfservice. It holds the password file's path, never a
// password.
type smtpJSON struct {
	Host         string `json:"host,omitempty"`
	Port         int    `json:"port,omitempty"`
	Security     string `json:"security,omitempty"`
	User         string `json:"user,omitempty"`
	PasswordFile string `json:"password_file,omitempty"`
	From         string `json:"from,omitempty"`
	ZipTokenFile bool   `json:"zip_token_file,omitempty"`
}

func encodeSMTP(s model.SMTPSettings) *smtpJSON {
	if s == (model.SMTPSettings{}) {
		return nil
	}
	return &smtpJSON{Host: s.Host, Port: s.Port, Security: string(s.Security), User: s.User,
		PasswordFile: s.PasswordFile, From: s.From, ZipTokenFile: s.ZipTokenFile}
}

func decodeSMTP(j *smtpJSON) model.SMTPSettings {
	if j == nil {
		return model.SMTPSettings{}
	}
	return model.SMTPSettings{Host: j.Host, Port: j.Port, Security: model.SMTPSecurity(j.Security), User: j.User,
		PasswordFile: j.PasswordFile, From: j.From, ZipTokenFile: j.ZipTokenFile}
}
